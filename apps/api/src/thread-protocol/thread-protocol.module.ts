import { StreamingModule } from '../streaming/streaming.module';
import { Module } from '@nestjs/common';
import { RunsModule } from '../runs/runs.module';
import { ThreadsModule } from '../threads/threads.module';
import { ThreadProtocolController } from './thread-protocol.controller';
import { ThreadProtocolService } from './thread-protocol.service';
import { ThreadProtocolSockets } from './thread-protocol.sockets';

/** The thread protocol: commands and event streams (SSE and WebSocket) over the runs and threads features, with no storage of its own. */
@Module({
  imports: [RunsModule, StreamingModule, ThreadsModule],
  controllers: [ThreadProtocolController],
  providers: [ThreadProtocolService, ThreadProtocolSockets],
  exports: [ThreadProtocolSockets],
})
export class ThreadProtocolModule {}
