import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import {
  CountAssistantsDto,
  CreateAssistantDto,
  ListAssistantVersionsDto,
  SearchAssistantsDto,
  SetLatestAssistantVersionDto,
  UpdateAssistantDto,
} from '@runhook/contracts';
import type { Response } from 'express';
import { parseBooleanFlag, selectFields } from '../common/json';
import { setPaginationHeaders } from '../common/pagination';
import { ThreadLifecycleService } from '../threads/thread-lifecycle.service';
import { AssistantGraphService } from './assistant-graph.service';
import { AssistantsService } from './assistants.service';

@ApiTags('assistants')
@Controller('assistants')
export class AssistantsController {
  constructor(
    private readonly assistants: AssistantsService,
    private readonly graphs: AssistantGraphService,
    private readonly threads: ThreadLifecycleService,
  ) {}

  @Post()
  @HttpCode(200)
  create(@Body() body: CreateAssistantDto) {
    return this.assistants.create(body);
  }

  @Post('search')
  @HttpCode(200)
  async search(@Body() body: SearchAssistantsDto, @Res({ passthrough: true }) response: Response) {
    const page = await this.assistants.search(body);
    setPaginationHeaders(response, body.offset ?? 0, page.items.length, page.total);
    return page.items.map((assistant) => selectFields(assistant, body.select));
  }

  @Post('count')
  @HttpCode(200)
  count(@Body() body: CountAssistantsDto) {
    return this.assistants.count(body);
  }

  @Get(':assistantId')
  get(@Param('assistantId') assistantId: string) {
    return this.assistants.get(assistantId);
  }

  @Patch(':assistantId')
  update(@Param('assistantId') assistantId: string, @Body() body: UpdateAssistantDto) {
    return this.assistants.update(assistantId, body);
  }

  @Delete(':assistantId')
  @HttpCode(204)
  async delete(@Param('assistantId') assistantId: string, @Query('delete_threads') deleteThreads?: string): Promise<void> {
    const deleted = await this.assistants.delete(assistantId);
    if (parseBooleanFlag(deleteThreads)) await this.threads.deleteThreadsOf(deleted);
  }

  @Get(':assistantId/graph')
  graph(@Param('assistantId') assistantId: string, @Query('xray') xray?: string) {
    return this.graphs.graph(assistantId, xray);
  }

  @Get(':assistantId/schemas')
  schemas(@Param('assistantId') assistantId: string) {
    return this.graphs.schemas(assistantId);
  }

  @Get(':assistantId/subgraphs')
  subgraphs(@Param('assistantId') assistantId: string, @Query('recurse') recurse?: string) {
    return this.graphs.subgraphs(assistantId, undefined, parseBooleanFlag(recurse));
  }

  @Get(':assistantId/subgraphs/:namespace')
  subgraphsIn(@Param('assistantId') assistantId: string, @Param('namespace') namespace: string, @Query('recurse') recurse?: string) {
    return this.graphs.subgraphs(assistantId, namespace, parseBooleanFlag(recurse));
  }

  @Post(':assistantId/versions')
  @HttpCode(200)
  versions(@Param('assistantId') assistantId: string, @Body() body: ListAssistantVersionsDto) {
    return this.assistants.versions(assistantId, body);
  }

  @Post(':assistantId/latest')
  @HttpCode(200)
  setLatest(@Param('assistantId') assistantId: string, @Body() body: SetLatestAssistantVersionDto) {
    return this.assistants.setLatest(assistantId, body.version);
  }
}
