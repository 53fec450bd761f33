import { Module } from '@nestjs/common';
import { GraphsModule } from '../graphs/graphs.module';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { ThreadStateService } from './thread-state.service';
import { ThreadsController } from './threads.controller';
import { ThreadsService } from './threads.service';

@Module({
  imports: [GraphsModule, WebhooksModule],
  controllers: [ThreadsController],
  providers: [ThreadsService, ThreadStateService],
  exports: [ThreadsService],
})
export class ThreadsModule {}
