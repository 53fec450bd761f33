import { createRequire } from 'node:module';
import type { GraphSpec } from '../config/langgraph-config';

// A real Node require (not the bundler's), so graph modules load from the user's project at run time.
const nodeRequire = createRequire(__filename);
// tsx compiles TypeScript graph modules on the fly, so a LangGraph.js project needs no build step.
const tsx = nodeRequire('tsx/cjs/api') as { require: (id: string, parent: string) => Record<string, unknown> };

/** Imports the module a `langgraph.json` entry names and returns its export, untouched. */
export function importGraphExport(graphId: string, spec: GraphSpec): unknown {
  const loaded = /\.[cm]?tsx?$/.test(spec.modulePath)
    ? tsx.require(spec.modulePath, __filename)
    : (nodeRequire(spec.modulePath) as Record<string, unknown>);
  const value = loaded[spec.exportName];
  if (value === undefined) {
    throw new Error(`Graph "${graphId}": ${spec.modulePath} has no export "${spec.exportName}"`);
  }
  return value;
}
