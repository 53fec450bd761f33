import { createRequire } from 'node:module';
import { basename, dirname, extname } from 'node:path';
import type * as Esbuild from 'esbuild';

// Loaded at run time from node_modules (not compiled into the server bundle): esbuild ships a native binary.
const esbuild = createRequire(__filename)('esbuild') as typeof Esbuild;

export interface UiAsset {
  basename: string;
  contentType: string;
  contents: Uint8Array;
}

export interface UiBundleInput {
  /** The `ui` entry's name; it also names the browser global the bundle defines. */
  name: string;
  modulePath: string;
  /** Imports resolve from here (the user's project), never from the server's own dependencies. */
  projectDir: string;
  shared: string[];
}

/** What the SDK's `LoadExternalComponent` host page hands to components instead of bundling its own copies. */
export const HOST_SHARED_MODULES = ['react', 'react-dom', '@langchain/langgraph-sdk'];

const ENTRY = 'runhook-ui-entry';
const HOST_REQUIRE = '__runhook_ui_host_require';
// Verbatim, outside the bundle: esbuild would annotate a `Symbol.for` call it parses, and hosts look for this exact form.
const HOST_REQUIRE_BANNER = `var ${HOST_REQUIRE} = function (name) { return globalThis[Symbol.for("LGUI_REQUIRE")](name); };`;
const CONTENT_TYPES: Record<string, string> = { '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };

/** The browser global a bundle defines; the snippet `POST /ui/{name}` answers calls its `render`. */
export function uiGlobalName(name: string): string {
  return `__LGUI_${name.replace(/[^a-zA-Z0-9]/g, '_')}`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/**
 * The entry renders one named component of the user's module into the shadow root the host page made, and hands it to
 * the host's component store (`LGUI_EXT_STORE`), which mounts it with the host's React.
 */
function entrySource(modulePath: string): string {
  return [
    `import components from ${JSON.stringify(modulePath)};`,
    'export function render(name, shadowRootId) {',
    '  const target = document.createElement("div");',
    '  document.getElementById(shadowRootId).shadowRoot.appendChild(target);',
    '  window[Symbol.for("LGUI_EXT_STORE")].respond(shadowRootId, components[name], target);',
    '}',
  ].join('\n');
}

/**
 * Shared modules (and their subpaths, e.g. `react/jsx-runtime`) become stubs that ask the host page for its copy
 * through `globalThis[Symbol.for("LGUI_REQUIRE")]`, so a component and the page share one React.
 */
function hostModulesPlugin(shared: string[], input: UiBundleInput): Esbuild.Plugin {
  const pattern = new RegExp(`^(${shared.map(escapeRegExp).join('|')})(/.*)?$`);
  return {
    name: 'runhook-ui',
    setup(build) {
      // A virtual path: the served bundle must not show where the server keeps the project.
      build.onResolve({ filter: new RegExp(`^${ENTRY}$`) }, () => ({ path: ENTRY, namespace: 'runhook-ui-entry' }));
      build.onLoad({ filter: /.*/, namespace: 'runhook-ui-entry' }, () => ({
        contents: entrySource(input.modulePath),
        resolveDir: dirname(input.modulePath),
        loader: 'js',
      }));
      build.onResolve({ filter: pattern }, (args) => ({ path: args.path, namespace: 'runhook-ui-host' }));
      build.onLoad({ filter: /.*/, namespace: 'runhook-ui-host' }, (args) => ({
        contents: `module.exports = ${HOST_REQUIRE}(${JSON.stringify(args.path)});`,
        loader: 'js',
      }));
    },
  };
}

/** Bundles one `ui` entry for browsers, in memory: `entrypoint.js`, plus `entrypoint.css` when components import CSS. */
export async function bundleUi(input: UiBundleInput): Promise<UiAsset[]> {
  const shared = [...new Set([...HOST_SHARED_MODULES, ...input.shared])];
  const result = await esbuild.build({
    absWorkingDir: input.projectDir,
    entryPoints: [{ in: ENTRY, out: 'entrypoint' }],
    outdir: 'dist',
    write: false,
    bundle: true,
    format: 'iife',
    globalName: uiGlobalName(input.name),
    platform: 'browser',
    target: 'es2020',
    jsx: 'automatic',
    // Images and fonts travel inside the CSS/JS, so the snippet's two URLs are all a page must fetch.
    loader: { '.png': 'dataurl', '.jpg': 'dataurl', '.jpeg': 'dataurl', '.gif': 'dataurl', '.svg': 'dataurl', '.woff': 'dataurl', '.woff2': 'dataurl' },
    banner: { js: HOST_REQUIRE_BANNER },
    logLevel: 'silent',
    plugins: [hostModulesPlugin(shared, input)],
  });
  return result.outputFiles.map((file) => ({
    basename: basename(file.path),
    contentType: CONTENT_TYPES[extname(file.path)] ?? 'application/octet-stream',
    contents: file.contents,
  }));
}
