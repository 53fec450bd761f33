import { describeEachStore } from '../persistence/testing/store-fixture';
import { describeCheckpointMaintenance } from './checkpoint-maintenance.behaviour';

describeEachStore(describeCheckpointMaintenance);
