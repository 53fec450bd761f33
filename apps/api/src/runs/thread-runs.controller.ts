import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ListRunsQueryDto, RunCreateStatefulDto } from '@runhook/contracts';
import type { Request, Response } from 'express';
import { parseBooleanFlag, selectFields } from '../common/json';
import { RunIdPipe, ThreadIdPipe } from '../common/uuid.pipe';
import { RunResponder, runPaths } from './run-responder.service';
import { parseCancelAction } from './run-query';
import { toWireRun } from './run-record';
import { RunsService } from './runs.service';

@ApiTags('thread runs')
@Controller('threads/:threadId/runs')
export class ThreadRunsController {
  constructor(
    private readonly runs: RunsService,
    private readonly responder: RunResponder,
  ) {}

  @Post()
  @HttpCode(200)
  async create(
    @Param('threadId', ThreadIdPipe) threadId: string,
    @Body() body: RunCreateStatefulDto,
    @Res({ passthrough: true }) response: Response,
  ) {
    const run = await this.runs.create(threadId, body);
    response.setHeader('Content-Location', runPaths(run, false, 'join').run);
    return run;
  }

  @Post('stream')
  async stream(
    @Param('threadId', ThreadIdPipe) threadId: string,
    @Body() body: RunCreateStatefulDto,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const run = await this.runs.create(threadId, body, { bufferEvents: true });
    this.responder.stream(request, response, run, runPaths(run, false, 'stream'), {
      afterSeq: -1,
      cancelOnDisconnect: body.on_disconnect === 'cancel',
      withIds: true,
    });
  }

  @Post('wait')
  async wait(
    @Param('threadId', ThreadIdPipe) threadId: string,
    @Body() body: RunCreateStatefulDto,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const run = await this.runs.create(threadId, body);
    this.responder.wait(request, response, run, runPaths(run, false, 'join'), body.on_disconnect === 'cancel');
  }

  @Get()
  async list(@Param('threadId', ThreadIdPipe) threadId: string, @Query() query: ListRunsQueryDto) {
    const runs = await this.runs.list(threadId, { limit: query.limit ?? 10, offset: query.offset ?? 0, status: query.status });
    const select = typeof query.select === 'string' ? [query.select] : query.select;
    return runs.map((run) => selectFields(run, select));
  }

  @Get(':runId')
  async get(@Param('threadId', ThreadIdPipe) threadId: string, @Param('runId', RunIdPipe) runId: string) {
    return toWireRun(await this.runs.get(threadId, runId));
  }

  @Delete(':runId')
  @HttpCode(204)
  async delete(@Param('threadId', ThreadIdPipe) threadId: string, @Param('runId', RunIdPipe) runId: string): Promise<void> {
    await this.runs.delete(threadId, runId);
  }

  @Post(':runId/cancel')
  async cancel(
    @Param('threadId', ThreadIdPipe) threadId: string,
    @Param('runId', RunIdPipe) runId: string,
    @Query('wait') wait: string | undefined,
    @Query('action') action: string | undefined,
    @Res() response: Response,
  ): Promise<void> {
    await this.runs.cancel(threadId, runId, parseCancelAction(action));
    if (!parseBooleanFlag(wait)) {
      response.status(202).end();
      return;
    }
    response.status(200).json((await this.responder.outcome(runId)) ?? null);
  }

  @Get(':runId/join')
  async join(
    @Param('threadId', ThreadIdPipe) threadId: string,
    @Param('runId', RunIdPipe) runId: string,
    @Query('cancel_on_disconnect') cancelOnDisconnect: string | undefined,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const run = await this.runs.get(threadId, runId);
    this.responder.wait(request, response, run, runPaths(run, false, 'join'), parseBooleanFlag(cancelOnDisconnect));
  }

  @Get(':runId/stream')
  async joinStream(
    @Param('threadId', ThreadIdPipe) threadId: string,
    @Param('runId', RunIdPipe) runId: string,
    @Query('cancel_on_disconnect') cancelOnDisconnect: string | undefined,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    await this.responder.joinStream(request, response, () => this.runs.get(threadId, runId), false, { lastEventId, cancelOnDisconnect });
  }
}
