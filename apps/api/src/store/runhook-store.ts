import {
  BaseStore,
  type GetOperation,
  type Item,
  type ListNamespacesOperation,
  type Operation,
  type OperationResults,
  type PutOperation,
  type SearchItem,
  type SearchOperation,
  validateNamespace,
} from '@langchain/langgraph-checkpoint';
import type { StoreItemRecord } from './store-record';
import type { StorePut, StoreService } from './store.service';

type Result = Item | SearchItem | SearchItem[] | string[][] | null | undefined;

function toItem(record: StoreItemRecord): SearchItem {
  const item: SearchItem = {
    namespace: record.namespace,
    key: record.key,
    value: record.value,
    createdAt: new Date(record.created_at),
    updatedAt: new Date(record.updated_at),
  };
  if (record.score !== undefined) item.score = record.score;
  return item;
}

// Told apart by their fields, as LangGraph's own stores do: a get has no value, a put has one (null deletes).
const isGet = (op: Operation): op is GetOperation => 'key' in op && 'namespace' in op && !('value' in op);
const isSearch = (op: Operation): op is SearchOperation => 'namespacePrefix' in op;
const isPut = (op: Operation): op is PutOperation => 'value' in op && 'namespace' in op;

/**
 * The server's Store as LangGraph's `BaseStore`: what graphs get as `config.store` and from `getStore()`.
 * Every operation goes through StoreService, so graphs and `/store` see the same items, TTL and index.
 * Graphs from a project with its own copy of LangGraph call `batch` (through their AsyncBatchedStore) or the
 * convenience methods, so both are implemented on the service, not on another store.
 */
export class RunhookStore extends BaseStore {
  constructor(private readonly service: StoreService) {
    super();
  }

  async batch<Op extends Operation[]>(operations: Op): Promise<OperationResults<Op>> {
    const results: Result[] = [];
    let pending: StorePut[] = [];
    const flush = async () => {
      if (pending.length === 0) return;
      const puts = pending;
      pending = [];
      await this.service.putMany(puts);
    };
    for (const [position, op] of operations.entries()) {
      if (isPut(op)) {
        validateNamespace(op.namespace);
        if (op.value === null) {
          await flush();
          await this.service.delete(op.namespace, op.key);
        } else {
          const put: StorePut = { namespace: op.namespace, key: op.key, value: op.value };
          if (op.index !== undefined) put.index = op.index;
          pending.push(put);
        }
        results[position] = undefined;
        continue;
      }
      // Reads see the writes that came before them in the batch.
      await flush();
      results[position] = await this.read(op);
    }
    await flush();
    return results as OperationResults<Op>;
  }

  private async read(op: Operation): Promise<Result> {
    if (isGet(op)) {
      const record = await this.service.get(op.namespace, op.key);
      return record ? toItem(record) : null;
    }
    if (isSearch(op)) {
      const records = await this.service.search(op.namespacePrefix, {
        filter: op.filter ?? null,
        limit: op.limit ?? 10,
        offset: op.offset ?? 0,
        query: op.query ?? null,
      });
      return records.map(toItem);
    }
    const list = op as ListNamespacesOperation;
    const condition = (type: 'prefix' | 'suffix') => list.matchConditions?.find((match) => match.matchType === type)?.path ?? null;
    return this.service.listNamespaces({
      prefix: condition('prefix'),
      suffix: condition('suffix'),
      maxDepth: list.maxDepth ?? null,
      limit: list.limit ?? 100,
      offset: list.offset ?? 0,
    });
  }
}
