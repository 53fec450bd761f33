import { Controller, Get, Headers, Param, Query, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ThreadIdPipe } from '../common/uuid.pipe';
import { parseThreadStreamModes } from './thread-stream';
import { ThreadStreamService } from './thread-stream.service';

@ApiTags('threads')
@Controller('threads/:threadId/stream')
export class ThreadStreamController {
  constructor(private readonly streams: ThreadStreamService) {}

  /** The runs of the thread as they happen (SDK `threads.joinStream`); open until the client leaves. */
  @Get()
  async join(
    @Param('threadId', ThreadIdPipe) threadId: string,
    @Query('stream_mode') streamMode: string | string[] | undefined,
    @Query('stream_modes') streamModes: string | string[] | undefined,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Res() response: Response,
  ): Promise<void> {
    await this.streams.open(threadId, response, { modes: parseThreadStreamModes(streamMode, streamModes), lastEventId });
  }
}
