import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError } from './config-error';

/** Where the embedding function of `store.index.embed` comes from. */
export type EmbedSource =
  /** `./file.ts:export`: an `Embeddings` instance or an async `(texts) => number[][]`. */
  | { kind: 'module'; modulePath: string; exportName: string }
  /** `provider:model`: the `Embeddings` class of an installed `@langchain/<provider>` package. */
  | { kind: 'provider'; provider: string; model: string; packageName: string; className: string; resolvedPath: string };

export interface StoreIndexSettings {
  dims: number;
  embed: EmbedSource;
  /** JSON paths of the value that are embedded; `$` is the whole value. */
  fields: string[];
}

export interface StoreSettings {
  ttl: {
    /** Minutes an item lives when its put gives no `ttl`; null: forever. */
    defaultTtlMinutes: number | null;
    /** Whether reads push the expiry back when the read does not say. */
    refreshOnRead: boolean;
    sweepIntervalMinutes: number;
  };
  index: StoreIndexSettings | null;
}

type Raw = Record<string, unknown>;

/** Providers LangGraph's `init_embeddings` knows, and the class their package exports. */
const EMBEDDING_PROVIDERS: Record<string, { packageName: string; className: string }> = {
  openai: { packageName: '@langchain/openai', className: 'OpenAIEmbeddings' },
  azure_openai: { packageName: '@langchain/openai', className: 'AzureOpenAIEmbeddings' },
  cohere: { packageName: '@langchain/cohere', className: 'CohereEmbeddings' },
  mistralai: { packageName: '@langchain/mistralai', className: 'MistralAIEmbeddings' },
  google_genai: { packageName: '@langchain/google-genai', className: 'GoogleGenerativeAIEmbeddings' },
  google_vertexai: { packageName: '@langchain/google-vertexai', className: 'VertexAIEmbeddings' },
  bedrock: { packageName: '@langchain/aws', className: 'BedrockEmbeddings' },
  ollama: { packageName: '@langchain/ollama', className: 'OllamaEmbeddings' },
};

function record(value: unknown, where: string): Raw {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new ConfigError(`${where} must be an object`);
  return value as Raw;
}

function positiveNumber(raw: Raw, key: string, where: string, fallback: number | null): number | null {
  const value = raw[key];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw new ConfigError(`${where}.${key} must be a positive number`);
  return value;
}

function parseEmbed(value: unknown, baseDir: string): EmbedSource {
  if (typeof value !== 'string' || value.length === 0) {
    throw new ConfigError('store.index.embed must be "./file.ts:export" or "provider:model"');
  }
  if (value.startsWith('.') || value.startsWith('/')) {
    const separator = value.lastIndexOf(':');
    const file = separator > 1 ? value.slice(0, separator) : value;
    const modulePath = resolve(baseDir, file);
    if (!existsSync(modulePath)) throw new ConfigError(`store.index.embed: file not found: ${modulePath}`);
    return { kind: 'module', modulePath, exportName: separator > 1 ? value.slice(separator + 1) : 'default' };
  }
  const separator = value.indexOf(':');
  const provider = separator > 0 ? value.slice(0, separator) : '';
  const known = EMBEDDING_PROVIDERS[provider.replace(/-/g, '_')];
  if (!known) {
    throw new ConfigError(
      `store.index.embed "${value}": unknown provider "${provider}" (known: ${Object.keys(EMBEDDING_PROVIDERS).join(', ')}), or give "./file.ts:export"`,
    );
  }
  // Resolved from the project, not from Runhook: the project chooses and installs its provider package.
  let resolvedPath: string;
  try {
    resolvedPath = createRequire(join(baseDir, 'package.json')).resolve(known.packageName);
  } catch {
    throw new ConfigError(`store.index.embed "${value}" needs ${known.packageName} installed in the project (npm install ${known.packageName})`);
  }
  return { kind: 'provider', provider, model: value.slice(separator + 1), resolvedPath, ...known };
}

function parseIndex(value: unknown, baseDir: string): StoreIndexSettings | null {
  if (value === undefined || value === null) return null;
  const raw = record(value, 'store.index');
  const dims = raw['dims'];
  if (!Number.isInteger(dims) || (dims as number) < 1) throw new ConfigError('store.index.dims must be a positive integer');
  const fields = raw['fields'] ?? ['$'];
  if (!Array.isArray(fields) || fields.length === 0 || !fields.every((field) => typeof field === 'string' && field.length > 0)) {
    throw new ConfigError('store.index.fields must be a non-empty list of JSON paths');
  }
  return { dims: dims as number, embed: parseEmbed(raw['embed'], baseDir), fields: fields as string[] };
}

/** Reads the `store` section of langgraph.json (`ttl`, `index`); relative paths resolve against `baseDir`. */
export function parseStoreConfig(value: unknown, baseDir: string): StoreSettings {
  const raw = record(value, 'store');
  const ttl = record(raw['ttl'], 'store.ttl');
  const refresh = ttl['refresh_on_read'];
  if (refresh !== undefined && refresh !== null && typeof refresh !== 'boolean') throw new ConfigError('store.ttl.refresh_on_read must be true or false');
  return {
    ttl: {
      defaultTtlMinutes: positiveNumber(ttl, 'default_ttl', 'store.ttl', null),
      refreshOnRead: (refresh as boolean | undefined | null) ?? true,
      sweepIntervalMinutes: positiveNumber(ttl, 'sweep_interval_minutes', 'store.ttl', 60) as number,
    },
    index: parseIndex(raw['index'], baseDir),
  };
}

/** The store settings of a loaded config; hand-made test configs without a `store` get the defaults. */
export function storeSettingsOf(langgraph: { store?: StoreSettings }): StoreSettings {
  return langgraph.store ?? parseStoreConfig(undefined, '.');
}
