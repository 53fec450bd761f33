import { describeEachStore } from '../persistence/testing/store-fixture';
import { describeRunsFencing } from './runs-fencing.behaviour';

describeEachStore(describeRunsFencing);
