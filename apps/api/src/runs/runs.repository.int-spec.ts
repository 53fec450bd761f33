import { describeEachStore } from '../persistence/testing/store-fixture';
import { describeRunsRepository } from './runs.repository.behaviour';

describeEachStore(describeRunsRepository);
