import { Body, Controller, Delete, Get, HttpCode, Post, Put, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ApiTags } from '@nestjs/swagger';
import {
  DeleteStoreItemDto,
  GetStoreItemQueryDto,
  ListStoreNamespacesDto,
  namespaceProblem,
  PutStoreItemDto,
  SearchStoreItemsDto,
  type StoreSearchItem,
} from '@runhook/contracts';
import { unprocessable } from '../common/validation';
import { StoreFilterError } from './store-filter';
import { StoreAccess } from './store-access';

@ApiTags('store')
@Controller('store')
export class StoreController {
  constructor(private readonly store: StoreAccess) {}

  @Put('items')
  @HttpCode(204)
  async put(@Body() body: PutStoreItemDto): Promise<void> {
    await this.store.put(body);
  }

  @Get('items')
  async get(@Query() query: GetStoreItemQueryDto, @Res({ passthrough: true }) response: Response): Promise<StoreSearchItem | undefined> {
    const namespace = query.namespace ? query.namespace.split('.') : [];
    const problem = namespaceProblem(namespace, true);
    if (problem) throw unprocessable(`namespace ${problem}`);
    const item = await this.store.get(namespace, query.key, query.refresh_ttl);
    // A missing item is `null` with 200, as the reference server answers: the SDK's getItem() types its result
    // `Item | null` and callers test for null, so a 404 would turn an ordinary miss into an exception.
    if (!item) {
      response.status(200).type('application/json').send('null');
      return undefined;
    }
    return item;
  }

  @Delete('items')
  @HttpCode(204)
  async delete(@Body() body: DeleteStoreItemDto): Promise<void> {
    await this.store.delete(body.namespace ?? [], body.key);
  }

  @Post('items/search')
  @HttpCode(200)
  async search(@Body() body: SearchStoreItemsDto): Promise<{ items: StoreSearchItem[] }> {
    try {
      const items = await this.store.search(body.namespace_prefix ?? [], {
        filter: body.filter ?? null,
        limit: body.limit ?? 10,
        offset: body.offset ?? 0,
        query: body.query ?? null,
        refreshTtl: body.refresh_ttl ?? null,
      });
      return { items };
    } catch (error) {
      if (error instanceof StoreFilterError) throw unprocessable(error.message);
      throw error;
    }
  }

  @Post('namespaces')
  @HttpCode(200)
  async listNamespaces(@Body() body: ListStoreNamespacesDto): Promise<{ namespaces: string[][] }> {
    const namespaces = await this.store.listNamespaces({
      prefix: body.prefix ?? null,
      suffix: body.suffix ?? null,
      maxDepth: body.max_depth ?? null,
      limit: body.limit ?? 100,
      offset: body.offset ?? 0,
    });
    return { namespaces };
  }
}
