import { describeEachStore } from '../persistence/testing/store-fixture';
import { describeThreadsRepository } from './threads.repository.behaviour';

describeEachStore(describeThreadsRepository);
