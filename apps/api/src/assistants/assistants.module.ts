import { forwardRef, Module } from '@nestjs/common';
import { GraphsModule } from '../graphs/graphs.module';
import { adapterFor } from '../persistence/database';
import { ThreadsModule } from '../threads/threads.module';
import { AssistantGraphService } from './assistant-graph.service';
import { AssistantsController } from './assistants.controller';
import { AssistantsRepository } from './assistants.repository';
import { AssistantsService } from './assistants.service';
import { PostgresAssistantsRepository } from './postgres-assistants.repository';
import { SqliteAssistantsRepository } from './sqlite-assistants.repository';

@Module({
  // forwardRef: deleting an assistant's threads reaches ThreadsModule, which reaches RunsModule, which imports this one.
  imports: [GraphsModule, forwardRef(() => ThreadsModule)],
  controllers: [AssistantsController],
  providers: [
    adapterFor(AssistantsRepository, SqliteAssistantsRepository, PostgresAssistantsRepository),
    AssistantsService,
    AssistantGraphService,
  ],
  exports: [AssistantsService],
})
export class AssistantsModule {}
