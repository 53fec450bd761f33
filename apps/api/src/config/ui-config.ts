import { existsSync } from 'node:fs';
import { relative, resolve, sep } from 'node:path';
import { ConfigError } from './config-error';

export interface UiConfig {
  /** The folder of `langgraph.json`: components resolve their imports from its `node_modules`. */
  projectDir: string;
  /** Absolute path of each `ui` entry's module, keyed by the name clients ask for (`POST /ui/{name}`). */
  components: Record<string, string>;
  /** Modules the host page supplies at run time, on top of React and the LangGraph SDK (`ui_config.shared`). */
  shared: string[];
}

type Raw = Record<string, unknown>;

function objectAt(raw: Raw, key: string): Raw {
  const value = raw[key];
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new ConfigError(`${key} must be an object`);
  return value as Raw;
}

/** Reads the `ui` and `ui_config` keys of `langgraph.json` as the LangGraph CLI does; paths are relative to it. */
export function parseUiConfig(raw: Raw, projectDir: string): UiConfig {
  const components: Record<string, string> = {};
  for (const [name, path] of Object.entries(objectAt(raw, 'ui'))) {
    if (typeof path !== 'string' || path.length === 0) throw new ConfigError(`ui.${name} must be a path to a module`);
    const modulePath = resolve(projectDir, path);
    // Bundles are served to browsers: a component outside the project could expose any file of the host.
    if (relative(projectDir, modulePath).split(sep)[0] === '..') throw new ConfigError(`ui.${name} must be inside the project folder ${projectDir}`);
    if (!existsSync(modulePath)) throw new ConfigError(`ui.${name}: file not found: ${modulePath}`);
    components[name] = modulePath;
  }
  const shared = objectAt(raw, 'ui_config')['shared'] ?? [];
  if (!Array.isArray(shared) || !shared.every((item) => typeof item === 'string' && item.length > 0)) {
    throw new ConfigError('ui_config.shared must be a list of module names');
  }
  return { projectDir, components, shared };
}
