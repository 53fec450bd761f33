import { REPO_ROOT, freePort } from '@runhook/testing';
import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

/** Where the built page and the screenshots go (under tmp/, which git ignores). */
export const BROWSER_CLIENT_OUT = join(REPO_ROOT, 'tmp', 'browser-client');

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** Builds the useStream chat page with Vite (in a child process: Vite is ESM-only) and returns its folder. */
export function buildChatPage(): string {
  const outDir = join(BROWSER_CLIENT_OUT, 'page');
  execFileSync(process.execPath, [join(__dirname, 'build-chat-page.mjs'), outDir], { cwd: REPO_ROOT, stdio: 'pipe' });
  if (!existsSync(join(outDir, 'index.html'))) throw new Error(`Vite wrote no index.html in ${outDir}`);
  return outDir;
}

export interface StaticSite {
  url: string;
  close: () => Promise<void>;
}

/** Serves a built folder on its own port, so the page runs on another origin than the API (CORS applies). */
export async function serveStatic(root: string): Promise<StaticSite> {
  const port = await freePort();
  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const file = normalize(join(root, path === '/' ? 'index.html' : decodeURIComponent(path)));
    if (!file.startsWith(root + sep) || !existsSync(file) || !statSync(file).isFile()) {
      response.writeHead(404).end('not found');
      return;
    }
    response.writeHead(200, { 'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(response);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
