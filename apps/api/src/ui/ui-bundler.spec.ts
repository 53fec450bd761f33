import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { createElement, type FunctionComponent } from 'react';
import * as jsxRuntime from 'react/jsx-runtime';
import * as React from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { bundleUi, uiGlobalName } from './ui-bundler';

const PROJECT = join(__dirname, '../../test/fixtures/ui');

/** Runs a bundle as a browser would, with the host page's React handed over through `LGUI_REQUIRE`. */
function renderInHostPage(js: string, globalName: string, component: string): { requested: string[]; rendered: FunctionComponent<{ city: string }> } {
  const requested: string[] = [];
  let rendered: FunctionComponent<{ city: string }> | undefined;
  const shadowRoot = { appendChild: () => undefined };
  const page: Record<PropertyKey, unknown> = {
    document: { getElementById: (id: string) => (id === 'root-1' ? { shadowRoot } : null), createElement: () => ({}) },
    [Symbol.for('LGUI_REQUIRE')]: (name: string) => {
      requested.push(name);
      return ({ react: React, 'react/jsx-runtime': jsxRuntime } as Record<string, unknown>)[name];
    },
    [Symbol.for('LGUI_EXT_STORE')]: { respond: (_id: string, found: FunctionComponent<{ city: string }>) => (rendered = found) },
  };
  page['window'] = page;
  page['globalThis'] = page;
  runInNewContext(`${js}\n${globalName}.render(${JSON.stringify(component)}, "root-1");`, page);
  if (!rendered) throw new Error('the bundle handed no component to the host');
  return { requested, rendered };
}

describe('bundleUi', () => {
  it('bundles a component module into entrypoint.js and entrypoint.css, React left to the host page', async () => {
    const assets = await bundleUi({ name: 'weather-ui', modulePath: join(PROJECT, 'weather.tsx'), projectDir: PROJECT, shared: [] });

    expect(assets.map((asset) => asset.basename).sort()).toEqual(['entrypoint.css', 'entrypoint.js']);
    const text = (basename: string) => Buffer.from(assets.find((asset) => asset.basename === basename)?.contents ?? []).toString();
    const js = text('entrypoint.js');
    const css = text('entrypoint.css');
    expect(css).toContain('.weather');
    expect(js).toContain('globalThis[Symbol.for("LGUI_REQUIRE")]');
    // React itself is not in the bundle: two copies of React in one page break hooks.
    expect(js).not.toContain('react.production');
    expect(js).not.toContain(PROJECT);

    const { requested, rendered } = renderInHostPage(js, uiGlobalName('weather-ui'), 'weather');
    expect(requested.sort()).toEqual(['react', 'react/jsx-runtime']);
    expect(renderToStaticMarkup(createElement(rendered, { city: 'Paris' }))).toBe('<div class="weather">Weather for Paris in celsius</div>');
  });

  it('leaves ui_config.shared modules to the host too, so a project need not install them', async () => {
    const shared = ['left-pad-that-is-not-installed'];
    const assets = await bundleUi({ name: 'padded', modulePath: join(PROJECT, 'broken.tsx'), projectDir: PROJECT, shared });

    const js = Buffer.from(assets[0].contents).toString();
    expect(js).toContain('__runhook_ui_host_require("left-pad-that-is-not-installed")');
    expect(js).toContain('var __LGUI_padded = ');
  });

  it('fails naming the import a component cannot resolve from its project', async () => {
    await expect(
      bundleUi({ name: 'broken', modulePath: join(PROJECT, 'broken.tsx'), projectDir: PROJECT, shared: [] }),
    ).rejects.toThrow(/left-pad-that-is-not-installed/);
  });
});
