import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CountCronsDto, CreateCronDto, CreateThreadCronDto, ListRunsQueryDto, SearchCronsDto, UpdateCronDto } from '@runhook/contracts';
import type { Response } from 'express';
import { selectFields } from '../common/json';
import { setPaginationHeaders } from '../common/pagination';
import { CronIdPipe, ThreadIdPipe } from '../common/uuid.pipe';
import { CronsService } from './crons.service';

/** Registered before the runs controllers, so `/runs/crons/...` is never read as `/runs/:runId`. */
@ApiTags('crons')
@Controller()
export class CronsController {
  constructor(private readonly crons: CronsService) {}

  @Post('runs/crons')
  @HttpCode(200)
  create(@Body() body: CreateCronDto) {
    return this.crons.create(null, body);
  }

  @Post('threads/:threadId/runs/crons')
  @HttpCode(200)
  createForThread(@Param('threadId', ThreadIdPipe) threadId: string, @Body() body: CreateThreadCronDto) {
    return this.crons.create(threadId, body);
  }

  @Post('runs/crons/search')
  @HttpCode(200)
  async search(@Body() body: SearchCronsDto, @Res({ passthrough: true }) response: Response) {
    const page = await this.crons.search(body);
    setPaginationHeaders(response, body.offset ?? 0, page.items.length, page.total);
    return page.items.map((cron) => selectFields(cron, body.select));
  }

  @Post('runs/crons/count')
  @HttpCode(200)
  count(@Body() body: CountCronsDto) {
    return this.crons.count(body);
  }

  @Get('runs/crons/:cronId')
  get(@Param('cronId', CronIdPipe) cronId: string) {
    return this.crons.get(cronId);
  }

  /** The firing history, newest first: scheduled time, run id, lag. */
  @Get('runs/crons/:cronId/runs')
  firings(@Param('cronId', CronIdPipe) cronId: string, @Query() query: ListRunsQueryDto) {
    return this.crons.firings(cronId, { limit: query.limit ?? 10, offset: query.offset ?? 0 });
  }

  @Patch('runs/crons/:cronId')
  update(@Param('cronId', CronIdPipe) cronId: string, @Body() body: UpdateCronDto) {
    return this.crons.update(cronId, body);
  }

  @Delete('runs/crons/:cronId')
  @HttpCode(204)
  async delete(@Param('cronId', CronIdPipe) cronId: string): Promise<void> {
    await this.crons.delete(cronId);
  }
}
