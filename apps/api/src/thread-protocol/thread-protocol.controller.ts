import { Body, Controller, Get, HttpCode, HttpException, Param, Post, Req, Res } from '@nestjs/common';
import { ApiBody, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ThreadIdPipe } from '../common/uuid.pipe';
import { COMMAND_RESPONSE_SCHEMA, COMMAND_SCHEMA, EVENT_FILTER_SCHEMA } from './thread-protocol.openapi';
import { ThreadProtocolService } from './thread-protocol.service';
import { ThreadProtocolSockets } from './thread-protocol.sockets';

@ApiTags('thread protocol')
@Controller('threads/:threadId')
export class ThreadProtocolController {
  constructor(
    private readonly protocol: ThreadProtocolService,
    private readonly sockets: ThreadProtocolSockets,
  ) {}

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

  @Get('stream/events')
  @ApiOperation({
    summary: 'The thread protocol over a WebSocket (Upgrade: websocket): commands and their answers, and subscribed events, as JSON frames',
    description: 'A plain GET is 426: the SSE transport is POST on the same path.',
  })
  @ApiNotFoundResponse({ description: 'Route switched off (http.disable_runs)' })
  @ApiUnprocessableEntityResponse({ description: 'Bad thread id' })
  socket(@Param('threadId', ThreadIdPipe) threadId: string, @Req() request: Request, @Res() _response: Response): void {
    if (!this.sockets.isUpgrade(request)) {
      throw new HttpException({ detail: 'GET /threads/{thread_id}/stream/events is the WebSocket transport: connect with "Upgrade: websocket", or POST to it for SSE' }, 426);
    }
    this.sockets.accept(threadId, request);
  }
}
