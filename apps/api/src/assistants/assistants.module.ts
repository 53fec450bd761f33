import { Module } from '@nestjs/common';
import { GraphsModule } from '../graphs/graphs.module';
import { ThreadsModule } from '../threads/threads.module';
import { AssistantGraphService } from './assistant-graph.service';
import { AssistantsController } from './assistants.controller';
import { AssistantsService } from './assistants.service';

@Module({
  imports: [GraphsModule, ThreadsModule],
  controllers: [AssistantsController],
  providers: [AssistantsService, AssistantGraphService],
  exports: [AssistantsService],
})
export class AssistantsModule {}
