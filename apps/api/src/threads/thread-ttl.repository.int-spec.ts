import { describeEachStore } from '../persistence/testing/store-fixture';
import { describeThreadTtlRepository } from './thread-ttl.repository.behaviour';

describeEachStore(describeThreadTtlRepository);
