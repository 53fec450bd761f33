import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { GraphSpec } from '../config/langgraph-config';

// A real Node require (not the bundler's), so graph modules load from the user's project at run time.
const nodeRequire = createRequire(__filename);

interface TsxCjs {
  register: () => () => void;
}
interface TsxEsm {
  register: (options: { namespace: string }) => { import: (specifier: string, parentUrl: string) => Promise<Record<string, unknown>> };
}

// tsx compiles TypeScript graph modules on the fly, so a LangGraph.js project needs no build step. Its ESM API
// performs the dynamic import() itself, out of reach of the bundler that builds Runhook.
let cjsRegistered = false;
let esmImporter: ReturnType<TsxEsm['register']> | null = null;

function importEsm(specifier: string, parentPath: string): Promise<Record<string, unknown>> {
  // The ESM build of tsx's API, loaded with require(esm): the CommonJS build registers its loader hooks from
  // a wrong relative path on Node 20 (it looks for dist/esm/api/esm/index.mjs).
  esmImporter ??= (nodeRequire(nodeRequire.resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')) as TsxEsm).register({ namespace: 'runhook-graphs' });
  return esmImporter.import(specifier, pathToFileURL(parentPath).href);
}

function nearestPackageType(file: string): string | undefined {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        return (JSON.parse(readFileSync(manifest, 'utf8')) as { type?: string }).type;
      } catch {
        return undefined;
      }
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/** Node's own rule: .mts/.mjs are ES modules, .cts/.cjs CommonJS, .ts/.js follow the nearest package.json. */
export function isEsModule(modulePath: string): boolean {
  const extension = extname(modulePath);
  if (extension === '.mts' || extension === '.mjs') return true;
  if (extension === '.cts' || extension === '.cjs') return false;
  return nearestPackageType(modulePath) === 'module';
}

/** A graph that cannot be loaded: the start stops with the graph, its file and the cause. */
export class GraphLoadError extends Error {
  override readonly name = 'GraphLoadError';
}

async function importModule(modulePath: string): Promise<Record<string, unknown>> {
  if (isEsModule(modulePath)) return importEsm(pathToFileURL(modulePath).href, __filename);
  // Registered for the whole process, not namespaced: a namespaced require would load a second copy of every
  // package the graph uses, and the copy Runhook reads schemas from would not be the graph's.
  if (!cjsRegistered) {
    (nodeRequire('tsx/cjs/api') as TsxCjs).register();
    cjsRegistered = true;
  }
  return nodeRequire(modulePath) as Record<string, unknown>;
}

/**
 * Imports the module a `langgraph.json` entry names and returns its export. An exported Promise (a graph
 * compiled in an async IIFE) is awaited; a factory is returned as is, to be called per run.
 */
export async function importGraphExport(graphId: string, spec: GraphSpec): Promise<unknown> {
  const where = `graph "${graphId}" (${spec.modulePath}:${spec.exportName})`;
  let value: unknown;
  try {
    const loaded = await importModule(spec.modulePath);
    value = await loaded[spec.exportName];
  } catch (error) {
    throw new GraphLoadError(`${where} failed to load: ${(error as Error)?.message ?? String(error)}`, { cause: error });
  }
  if (value === undefined || value === null) throw new GraphLoadError(`${where}: the module has no export "${spec.exportName}"`);
  return value;
}

/**
 * Imports a package as the graph's own module sees it (its project's copy, in the same module format), so
 * that registries kept inside that package (e.g. LangGraph's Zod schema registry) are the graph's. Null when
 * the project cannot resolve it.
 */
export async function importBesideGraph(spec: GraphSpec, specifier: string): Promise<Record<string, unknown> | null> {
  try {
    if (isEsModule(spec.modulePath)) return await importEsm(specifier, spec.modulePath);
    return createRequire(spec.modulePath)(specifier) as Record<string, unknown>;
  } catch {
    return null;
  }
}
