import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../config/config-error';
import { loadCustomApp } from './custom-app';

const DIR = mkdtempSync(join(tmpdir(), 'runhook-custom-app-'));
// CommonJS files: under jest, the loader's TypeScript path (tsx) is not available; the e2e suite loads a .ts app.
writeFileSync(
  join(DIR, 'app.js'),
  `const { Hono } = require(${JSON.stringify(require.resolve('hono'))});\n` +
    "exports.app = new Hono().get('/x', (c) => c.text('x'));\nexports.notAnApp = { fetch: 1 };\n",
);
writeFileSync(join(DIR, 'broken.js'), "throw new Error('boom at import');\n");

describe('loadCustomApp', () => {
  it('loads the named Hono app export', async () => {
    const app = await loadCustomApp({ modulePath: join(DIR, 'app.js'), exportName: 'app' });

    expect(await (await app.fetch(new Request('http://h/x'))).text()).toBe('x');
  });

  it.each([
    ['notAnApp', /http\.app: export "notAnApp" .* is not a Hono app/],
    ['missing', /http\.app: .* could not be loaded: .*no export "missing"/],
  ])('refuses export %s naming http.app', async (exportName, message) => {
    const attempt = loadCustomApp({ modulePath: join(DIR, 'app.js'), exportName });

    await expect(attempt).rejects.toThrow(ConfigError);
    await expect(loadCustomApp({ modulePath: join(DIR, 'app.js'), exportName })).rejects.toThrow(message);
  });

  it('names the file and the error when the module fails at import', async () => {
    await expect(loadCustomApp({ modulePath: join(DIR, 'broken.js'), exportName: 'app' })).rejects.toThrow(/http\.app: .*broken\.js could not be loaded: .*boom at import/);
  });
});
