import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Param,
  Post,
  Query,
  Req,
  Res,
  UnprocessableEntityException,
} from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CancelRunsDto, RunCreateStatelessDto } from '@runhook/contracts';
import type { Request, Response } from 'express';
import { RunIdPipe } from '../common/uuid.pipe';
import { createArrayValidationPipe } from '../common/validation';
import { RunResponder, runPaths } from './run-responder.service';
import { parseCancelAction } from './run-query';
import { toWireRun } from './run-record';
import { RunsService } from './runs.service';

@ApiTags('stateless runs')
@Controller('runs')
export class StatelessRunsController {
  constructor(
    private readonly runs: RunsService,
    private readonly responder: RunResponder,
  ) {}

  @Post()
  @HttpCode(200)
  async create(@Body() body: RunCreateStatelessDto, @Res({ passthrough: true }) response: Response) {
    const run = await this.runs.create(null, body);
    response.setHeader('Content-Location', runPaths(run, true, 'join').run);
    return run;
  }

  @Post('stream')
  async stream(@Body() body: RunCreateStatelessDto, @Req() request: Request, @Res() response: Response): Promise<void> {
    const run = await this.runs.create(null, body, { bufferEvents: true });
    this.responder.stream(request, response, run, runPaths(run, true, 'stream'), {
      afterSeq: -1,
      cancelOnDisconnect: body.on_disconnect === 'cancel',
    });
  }

  @Post('wait')
  async wait(@Body() body: RunCreateStatelessDto, @Req() request: Request, @Res() response: Response): Promise<void> {
    const run = await this.runs.create(null, body);
    this.responder.wait(request, response, run, runPaths(run, true, 'join'), body.on_disconnect === 'cancel');
  }

  @Post('batch')
  @HttpCode(200)
  async batch(@Body(createArrayValidationPipe(RunCreateStatelessDto)) bodies: RunCreateStatelessDto[]) {
    if (bodies.length === 0) throw new UnprocessableEntityException({ detail: 'batch must hold at least one run' });
    const runs = [];
    for (const body of bodies) runs.push(await this.runs.create(null, body));
    return runs;
  }

  @Post('cancel')
  @HttpCode(204)
  async cancelMany(@Body() body: CancelRunsDto, @Query('action') action: string | undefined): Promise<void> {
    if (body.status && body.run_ids) {
      throw new UnprocessableEntityException({ detail: 'status cannot be combined with run_ids' });
    }
    if (!body.status && !body.run_ids && !body.thread_id) {
      throw new UnprocessableEntityException({ detail: 'give run_ids, thread_id or status' });
    }
    await this.runs.cancelMany({ runIds: body.run_ids, threadId: body.thread_id, status: body.status, action: parseCancelAction(action) });
  }

  @Get(':runId')
  async get(@Param('runId', RunIdPipe) runId: string) {
    return toWireRun(await this.runs.get(null, runId));
  }

  @Get(':runId/stream')
  async joinStream(
    @Param('runId', RunIdPipe) runId: string,
    @Query('cancel_on_disconnect') cancelOnDisconnect: string | undefined,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    await this.responder.joinStream(request, response, () => this.runs.get(null, runId), true, { lastEventId, cancelOnDisconnect });
  }
}
