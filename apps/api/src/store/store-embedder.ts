import { createRequire } from 'node:module';
import { ConfigError } from '../config/config-error';
import type { StoreIndexSettings } from '../config/store-config';
import { importGraphExport } from '../graphs/graph-loader';

/** What the store needs of an embedding model: LangChain's `Embeddings` shape. */
export interface StoreEmbedder {
  embedDocuments(texts: string[]): Promise<number[][]>;
  embedQuery(text: string): Promise<number[]>;
}

type EmbedFunction = (texts: string[]) => Promise<number[][]> | number[][];

function isEmbeddings(value: unknown): value is StoreEmbedder {
  return typeof value === 'object' && value !== null &&
    typeof (value as StoreEmbedder).embedDocuments === 'function' && typeof (value as StoreEmbedder).embedQuery === 'function';
}

/** Refuses vectors of the wrong count, length or content before they reach the database. */
function checked(vectors: unknown, count: number, dims: number): number[][] {
  if (!Array.isArray(vectors) || vectors.length !== count) {
    throw new Error(`store.index.embed returned ${Array.isArray(vectors) ? vectors.length : typeof vectors} vectors for ${count} texts`);
  }
  for (const vector of vectors) {
    if (!Array.isArray(vector) || vector.length !== dims || !vector.every((x) => typeof x === 'number' && Number.isFinite(x))) {
      throw new Error(`store.index.embed returned a vector that is not ${dims} finite numbers (store.index.dims)`);
    }
  }
  return vectors as number[][];
}

function fromSource(value: unknown, where: string): StoreEmbedder {
  if (isEmbeddings(value)) return value;
  if (typeof value === 'function') {
    const embed = value as EmbedFunction;
    return {
      embedDocuments: async (texts) => embed(texts),
      embedQuery: async (text) => ((await embed([text])) as number[][])[0] as number[],
    };
  }
  throw new ConfigError(`store.index.embed: ${where} is neither an Embeddings instance nor a function (texts) => number[][]`);
}

/** Loads the configured embedding model once, at start; every vector it returns is checked against `dims`. */
export async function loadEmbedder(settings: StoreIndexSettings): Promise<StoreEmbedder> {
  const source = settings.embed;
  let embedder: StoreEmbedder;
  if (source.kind === 'module') {
    const exported = await importGraphExport('store.index.embed', { modulePath: source.modulePath, exportName: source.exportName });
    embedder = fromSource(exported, `${source.modulePath}:${source.exportName}`);
  } else {
    const loaded = createRequire(source.resolvedPath)(source.resolvedPath) as Record<string, unknown>;
    const EmbeddingsClass = loaded[source.className] as (new (fields: { model: string }) => unknown) | undefined;
    if (typeof EmbeddingsClass !== 'function') throw new ConfigError(`store.index.embed: ${source.packageName} has no ${source.className}`);
    embedder = fromSource(new EmbeddingsClass({ model: source.model }), `${source.packageName}.${source.className}`);
  }
  return {
    embedDocuments: async (texts) => (texts.length === 0 ? [] : checked(await embedder.embedDocuments(texts), texts.length, settings.dims)),
    embedQuery: async (text) => checked([await embedder.embedQuery(text)], 1, settings.dims)[0] as number[],
  };
}
