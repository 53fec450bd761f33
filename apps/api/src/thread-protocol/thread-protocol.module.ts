import { StreamingModule } from '../streaming/streaming.module';
import { Module } from '@nestjs/common';
import { RunsModule } from '../runs/runs.module';
import { ThreadsModule } from '../threads/threads.module';
import { ThreadProtocolController } from './thread-protocol.controller';
import { ThreadProtocolService } from './thread-protocol.service';

/** The thread protocol: commands and event streams over the runs and threads features, with no storage of its own. */
@Module({
  imports: [RunsModule, StreamingModule, ThreadsModule],
  controllers: [ThreadProtocolController],
  providers: [ThreadProtocolService],
})
export class ThreadProtocolModule {}
