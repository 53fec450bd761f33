import { describeEachStore } from '../persistence/testing/store-fixture';
import { describeAssistantsRepository } from './assistants.repository.behaviour';

describeEachStore(describeAssistantsRepository);
