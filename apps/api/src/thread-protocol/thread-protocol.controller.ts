import { Body, Controller, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiBody, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import type { Response } from 'express';
import { ThreadIdPipe } from '../common/uuid.pipe';
import { COMMAND_RESPONSE_SCHEMA, COMMAND_SCHEMA, EVENT_FILTER_SCHEMA } from './thread-protocol.openapi';
import { ThreadProtocolService } from './thread-protocol.service';

@ApiTags('thread protocol')
@Controller('threads/:threadId')
export class ThreadProtocolController {
  constructor(private readonly protocol: ThreadProtocolService) {}

  @Post('commands')
  @HttpCode(200)
  @ApiOperation({
    summary: 'A thread-protocol command (SDK client.threads.stream): run.start, input.respond, state.get, subscriptions',
    description: 'run.start creates the thread when it does not exist. Bad input is 422 naming the field; an unknown thread 404.',
  })
  @ApiBody({ schema: COMMAND_SCHEMA })
  @ApiOkResponse({ schema: COMMAND_RESPONSE_SCHEMA })
  @ApiNotFoundResponse({ description: 'Unknown thread, assistant or interrupt' })
  @ApiUnprocessableEntityResponse({ description: 'Bad command; the detail names the field' })
  command(@Param('threadId', ThreadIdPipe) threadId: string, @Body() body: unknown) {
    return this.protocol.command(threadId, body);
  }

  @Post('stream/events')
  @ApiOperation({
    summary: "The thread's protocol events as SSE, filtered by channel and namespace",
    description: 'Replays the events of the runs since the thread was last idle, then streams live ones until the client leaves.',
  })
  @ApiBody({ schema: EVENT_FILTER_SCHEMA })
  @ApiProduces('text/event-stream')
  @ApiNotFoundResponse({ description: 'Unknown thread' })
  @ApiUnprocessableEntityResponse({ description: 'Bad filter; the detail names the field' })
  async events(@Param('threadId', ThreadIdPipe) threadId: string, @Body() body: unknown, @Res() response: Response): Promise<void> {
    await this.protocol.openEventStream(threadId, body, response);
  }
}
