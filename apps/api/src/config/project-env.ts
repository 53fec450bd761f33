import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { ConfigError } from './config-error';

export interface ProjectEnv {
  /** The variables the project's `env` section declares. */
  values: Record<string, string>;
  warnings: string[];
}

/**
 * Reads the `env` section of langgraph.json as the LangGraph CLI does: an object of strings, or the path
 * (relative to the config file) of a .env file. Like the CLI, a missing .env file is a warning, not an error.
 */
export function readProjectEnv(raw: unknown, baseDir: string): ProjectEnv {
  if (raw === undefined || raw === null) return { values: {}, warnings: [] };
  if (typeof raw === 'string') {
    const path = resolve(baseDir, raw);
    if (!existsSync(path)) return { values: {}, warnings: [`env file ${path} not found; continuing without it`] };
    const parsed = parseEnv(readFileSync(path, 'utf8'));
    const values = Object.fromEntries(Object.entries(parsed).filter((entry): entry is [string, string] => entry[1] !== undefined));
    return { values, warnings: [] };
  }
  if (Array.isArray(raw)) throw new ConfigError('env as a list (Platform secret names) is not supported: use an object or a .env file path');
  if (typeof raw !== 'object') throw new ConfigError('env must be an object or the path of a .env file');
  for (const [name, value] of Object.entries(raw)) {
    if (typeof value !== 'string') throw new ConfigError(`env.${name} must be a string`);
  }
  return { values: { ...(raw as Record<string, string>) }, warnings: [] };
}

/**
 * The project's variables fill gaps only: a variable already set in the real environment wins, as with the
 * LangGraph CLI (dotenv's `populate` without `override`).
 */
export function withProjectEnv<T extends Record<string, string | undefined>>(env: T, project: Record<string, string>): T {
  const merged: Record<string, string | undefined> = { ...env };
  for (const [name, value] of Object.entries(project)) {
    if (merged[name] === undefined) merged[name] = value;
  }
  return merged as T;
}

/** Writes the project's variables into `process.env` (gaps only) so graph modules see them when imported. */
export function applyProjectEnv(project: Record<string, string>, target: NodeJS.ProcessEnv = process.env): void {
  for (const [name, value] of Object.entries(project)) {
    if (target[name] === undefined) target[name] = value;
  }
}
