import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import {
  CountThreadsDto,
  CreateThreadDto,
  PruneThreadsDto,
  SearchThreadsDto,
  ThreadHistoryDto,
  ThreadStateAtCheckpointDto,
  UpdateThreadDto,
  UpdateThreadStateDto,
} from '@runhook/contracts';
import type { Response } from 'express';
import { parseBooleanFlag, selectFields } from '../common/json';
import { setPaginationHeaders } from '../common/pagination';
import { ThreadIdPipe } from '../common/uuid.pipe';
import { ThreadLifecycleService } from './thread-lifecycle.service';
import { ThreadStateService } from './thread-state.service';
import { wantsTtl } from './thread-ttl';
import { ThreadsService } from './threads.service';

@ApiTags('threads')
@Controller('threads')
export class ThreadsController {
  constructor(
    private readonly threads: ThreadsService,
    private readonly state: ThreadStateService,
    private readonly lifecycle: ThreadLifecycleService,
  ) {}

  @Post()
  @HttpCode(200)
  async create(@Body() body: CreateThreadDto) {
    const ttl = this.lifecycle.parseTtl(body.ttl);
    const { thread, created } = await this.threads.create(body);
    if (created) await this.lifecycle.setTtl(thread.thread_id, ttl);
    if (created && body.supersteps?.length) {
      await this.state.applySupersteps(thread.thread_id, String(thread.metadata['graph_id']), body.supersteps);
      return this.threads.get(thread.thread_id);
    }
    return thread;
  }

  @Post('search')
  @HttpCode(200)
  async search(@Body() body: SearchThreadsDto, @Res({ passthrough: true }) response: Response) {
    const page = await this.threads.search(body);
    setPaginationHeaders(response, body.offset ?? 0, page.items.length, page.total);
    const items = wantsTtl(body.include, body.select) ? await this.lifecycle.withTtl(page.items) : page.items;
    const select = body.select?.length && wantsTtl(body.include) ? [...body.select, 'ttl'] : body.select;
    return items.map((thread) => selectFields(thread, select));
  }

  @Post('prune')
  @HttpCode(200)
  prune(@Body() body: PruneThreadsDto) {
    return this.lifecycle.prune(body.thread_ids, body.strategy);
  }

  @Post('count')
  @HttpCode(200)
  count(@Body() body: CountThreadsDto) {
    return this.threads.count(body);
  }

  @Get(':threadId')
  async get(@Param('threadId', ThreadIdPipe) threadId: string, @Query('include') include?: string | string[]) {
    const thread = await this.threads.get(threadId);
    return wantsTtl(include) ? (await this.lifecycle.withTtl([thread]))[0] : thread;
  }

  @Patch(':threadId')
  async patch(
    @Param('threadId', ThreadIdPipe) threadId: string,
    @Body() body: UpdateThreadDto,
    @Headers('prefer') prefer: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ) {
    const ttl = this.lifecycle.parseTtl(body.ttl);
    const thread = await this.threads.patch(threadId, body.metadata);
    await this.lifecycle.setTtl(threadId, ttl);
    if (prefer?.includes('return=minimal')) {
      response.status(204);
      return undefined;
    }
    return thread;
  }

  @Delete(':threadId')
  @HttpCode(204)
  async delete(@Param('threadId', ThreadIdPipe) threadId: string): Promise<void> {
    await this.threads.delete(threadId);
  }

  @Post(':threadId/copy')
  @HttpCode(200)
  copy(@Param('threadId', ThreadIdPipe) threadId: string) {
    return this.threads.copy(threadId);
  }

  @Get(':threadId/state')
  getState(@Param('threadId', ThreadIdPipe) threadId: string, @Query('subgraphs') subgraphs?: string) {
    return this.state.getState(threadId, {}, parseBooleanFlag(subgraphs));
  }

  @Post(':threadId/state')
  @HttpCode(200)
  updateState(@Param('threadId', ThreadIdPipe) threadId: string, @Body() body: UpdateThreadStateDto) {
    return this.state.updateState(threadId, body);
  }

  @Post(':threadId/state/checkpoint')
  @HttpCode(200)
  getStateAt(@Param('threadId', ThreadIdPipe) threadId: string, @Body() body: ThreadStateAtCheckpointDto) {
    return this.state.getState(threadId, body.checkpoint, body.subgraphs ?? false);
  }

  @Get(':threadId/state/:checkpointId')
  getStateAtId(
    @Param('threadId', ThreadIdPipe) threadId: string,
    @Param('checkpointId') checkpointId: string,
    @Query('subgraphs') subgraphs?: string,
  ) {
    return this.state.getState(threadId, { checkpoint_id: checkpointId }, parseBooleanFlag(subgraphs));
  }

  @Post(':threadId/history')
  @HttpCode(200)
  history(@Param('threadId', ThreadIdPipe) threadId: string, @Body() body: ThreadHistoryDto) {
    return this.state.history(threadId, body);
  }

  @Get(':threadId/history')
  historyByQuery(
    @Param('threadId', ThreadIdPipe) threadId: string,
    @Query('limit') limit?: string,
    @Query('before') before?: string,
  ) {
    const parsed = limit === undefined ? 10 : Math.min(1000, Math.max(1, Number.parseInt(limit, 10) || 10));
    return this.state.history(threadId, { limit: parsed, before } as ThreadHistoryDto);
  }
}
