import { ConfigError } from './config-error';

/** The config and context a graph's system assistant starts with. */
export interface GraphDefaults {
  config: Record<string, unknown>;
  context: Record<string, unknown>;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Before LANGGRAPH_CONFIG took its LangGraph meaning, Runhook read the langgraph.json path from it. */
export function assertNotOldStylePath(raw: string | undefined): void {
  if (raw === undefined || raw.trim() === '' || raw.trim().startsWith('{')) return;
  throw new ConfigError(
    `LANGGRAPH_CONFIG="${raw}" looks like a file path. LANGGRAPH_CONFIG now holds per-graph default config as JSON, ` +
      `as in LangGraph; rename the variable to RUNHOOK_CONFIG to name the langgraph.json file`,
  );
}

/**
 * LANGGRAPH_CONFIG as the LangGraph server reads it: `{"<graph_id>": {...config, "context": {...}}}`. The
 * `context` key becomes the system assistant's context, the remaining keys its config.
 */
export function parseGraphDefaults(raw: string | undefined): Record<string, GraphDefaults> {
  assertNotOldStylePath(raw);
  if (raw === undefined || raw.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    throw new ConfigError(`LANGGRAPH_CONFIG is not valid JSON: ${(error as Error).message}`);
  }
  if (!isRecord(parsed)) throw new ConfigError('LANGGRAPH_CONFIG must be a JSON object keyed by graph id');
  const defaults: Record<string, GraphDefaults> = {};
  for (const [graphId, entry] of Object.entries(parsed)) {
    if (!isRecord(entry)) throw new ConfigError(`LANGGRAPH_CONFIG.${graphId} must be an object`);
    const { context, ...config } = entry;
    if (context !== undefined && !isRecord(context)) throw new ConfigError(`LANGGRAPH_CONFIG.${graphId}.context must be an object`);
    defaults[graphId] = { config, context: context ?? {} };
  }
  return defaults;
}
