import type { GraphSpec } from '../config/langgraph-config';

// tsx compiles TypeScript graph modules on the fly, so a LangGraph.js project needs no build step.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const tsx = require('tsx/cjs/api') as { require: (id: string, parent: string) => Record<string, unknown> };

/** Imports the module a `langgraph.json` entry names and returns its export, untouched. */
export function importGraphExport(graphId: string, spec: GraphSpec): unknown {
  const loaded = /\.[cm]?tsx?$/.test(spec.modulePath)
    ? tsx.require(spec.modulePath, __filename)
    : // eslint-disable-next-line @typescript-eslint/no-require-imports
      (require(spec.modulePath) as Record<string, unknown>);
  const value = loaded[spec.exportName];
  if (value === undefined) {
    throw new Error(`Graph "${graphId}": ${spec.modulePath} has no export "${spec.exportName}"`);
  }
  return value;
}
