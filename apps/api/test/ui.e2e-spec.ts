import { join } from 'node:path';
import { Client } from '@langchain/langgraph-sdk';
import { type RunningServer, startApiServer } from '@runhook/testing';

const FIXTURE = join(__dirname, 'fixtures/ui/langgraph.json');

describe('generative UI (langgraph.json "ui")', () => {
  let server: RunningServer;
  let client: Client;

  beforeAll(async () => {
    server = await startApiServer({ langgraphConfig: FIXTURE });
    client = new Client({ apiUrl: server.url });
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('answers the HTML that loads the bundle into the shadow root, and serves that bundle', async () => {
    const html = await client['~ui'].getComponent('weather-ui', 'weather');

    expect(html).toContain(`<link rel="stylesheet" href="${server.url}/ui/weather-ui/entrypoint.css" />`);
    expect(html).toContain(
      `<script src="${server.url}/ui/weather-ui/entrypoint.js" onload='__LGUI_weather_ui.render("weather", "{{shadowRootId}}")'></script>`,
    );

    const js = await fetch(`${server.url}/ui/weather-ui/entrypoint.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toContain('javascript');
    const source = await js.text();
    expect(source).toContain('var __LGUI_weather_ui = ');
    expect(source).toContain('globalThis[Symbol.for("LGUI_REQUIRE")]');
    expect(source).toContain('Weather for ');

    const css = await fetch(`${server.url}/ui/weather-ui/entrypoint.css`);
    expect(css.headers.get('content-type')).toContain('text/css');
    expect(await css.text()).toContain('.weather');
  });

  it('escapes a component name so it cannot leave the onload attribute', async () => {
    const response = await fetch(`${server.url}/ui/weather-ui`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: "x'><img src=y onerror=alert(1)>" }),
    });
    const html = await response.text();
    expect(html).not.toContain("'><img");
    expect(html).toContain('render("x&#39;&gt;&lt;img src=y onerror=alert(1)&gt;"');
  });

  it('answers 404 for an unknown ui name or file, and 422 without a component name', async () => {
    const post = (name: string, body: unknown) =>
      fetch(`${server.url}/ui/${name}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

    const unknown = await post('non-existent', { name: 'none' });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ detail: 'UI not found for "non-existent"' });
    await expect(client['~ui'].getComponent('non-existent', 'none')).rejects.toThrow();

    const missingFile = await fetch(`${server.url}/ui/weather-ui/other.js`);
    expect(missingFile.status).toBe(404);
    expect(((await missingFile.json()) as { detail: string }).detail).toContain('other.js');

    const noName = await post('weather-ui', {});
    expect(noName.status).toBe(422);
    expect(((await noName.json()) as { detail: string }).detail).toContain('name');
  });
});
