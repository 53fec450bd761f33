import { describeEachStore } from '../persistence/testing/store-fixture';
import { describeRunsOutbox } from './runs-outbox.behaviour';

describeEachStore(describeRunsOutbox);
