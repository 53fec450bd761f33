// Starting the two servers under test: Runhook from dist/, and the reference JS dev server
// (@langchain/langgraph-cli) installed once into tmp/bench-reference from tools/bench/reference/.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, startProcess, stopProcess, waitForOk } from './processes.mjs';

/** Environment that keeps the reference CLI off the network: no analytics, tracing, browser or studio lookups. */
function offlineEnv(extra) {
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (/^(LANGSMITH|LANGCHAIN)_/.test(key)) delete env[key];
  }
  return {
    ...env,
    LANGGRAPH_CLI_NO_ANALYTICS: '1',
    LANGSMITH_TRACING: 'false',
    LANGSMITH_TRACING_V2: 'false',
    LANGCHAIN_TRACING_V2: 'false',
    LANGCHAIN_TRACING: 'false',
    BROWSER: 'none',
    ...extra,
  };
}

/** Spawns a server on 127.0.0.1:<port> and resolves once GET /ok answers; kills it if it never does. */
async function launch(command, args, { cwd, env, logFile, port }) {
  const url = `http://127.0.0.1:${port}`;
  const child = startProcess(command, args, { cwd, env, logFile });
  try {
    await waitForOk(url, { child, logFile });
  } catch (err) {
    await stopProcess(child);
    throw err;
  }
  return { url, child, logFile };
}

/**
 * The variable naming the langgraph.json for a given build: builds from before RUNHOOK_CONFIG read it from
 * LANGGRAPH_CONFIG, so an older checkout (e.g. a base commit built in a scratch clone) can be compared side by side.
 */
function configVariable(main) {
  return readFileSync(main, 'utf8').includes('RUNHOOK_CONFIG') ? 'RUNHOOK_CONFIG' : 'LANGGRAPH_CONFIG';
}

export async function startOurs({ repo, runDir, label = 'runhook', nodeArgs = [], env = {}, config }) {
  const main = join(repo, 'dist/apps/api/main.js');
  if (!existsSync(main)) {
    throw new Error(`${main} is missing: build it first with \`NX_DAEMON=false npx nx build api\``);
  }
  const port = await freePort();
  const dbDir = join(runDir, `${label}-db`);
  mkdirSync(dbDir, { recursive: true });
  const serverEnv = offlineEnv({
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_URL: join(dbDir, 'runhook.sqlite'),
    [configVariable(main)]: config ?? join(repo, 'langgraph.json'),
    ...env,
  });
  const logFile = join(runDir, `${label}.log`);
  return launch(process.execPath, [...nodeArgs, main], { cwd: repo, env: serverEnv, logFile, port });
}

/** A `--build` value: `<label>=<dir>[,KEY=VALUE...]` (a checkout with a built dist/, and variables for its server). */
export function parseBuild(spec, resolvePath) {
  const eq = spec.indexOf('=');
  if (eq <= 0) throw new Error(`--build wants <label>=<dir>[,KEY=VALUE...], got ${spec}`);
  const [dir, ...vars] = spec.slice(eq + 1).split(',');
  const env = Object.fromEntries(vars.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
  return { label: spec.slice(0, eq), dir: resolvePath(dir), env };
}

const TEMPLATE_FILES = ['agent.mjs', 'langgraph.json'];

/** Copies the template into tmp/bench-reference and runs `npm install` unless the same package.json is already installed. */
export function ensureReference({ repo, log = console.error }) {
  const templateDir = join(repo, 'tools/bench/reference');
  const dir = join(repo, 'tmp/bench-reference');
  mkdirSync(dir, { recursive: true });
  const pkg = readFileSync(join(templateDir, 'package.template.json'), 'utf8');
  const stamp = createHash('sha256').update(pkg).digest('hex');
  const stampFile = join(dir, 'node_modules/.bench-stamp');
  for (const file of TEMPLATE_FILES) copyFileSync(join(templateDir, file), join(dir, file));
  const cli = join(dir, 'node_modules/@langchain/langgraph-cli/dist/cli/cli.mjs');
  if (existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp && existsSync(cli)) return { dir, cli };
  log(`bench: installing the reference server into ${dir} (one-off, cached afterwards)`);
  writeFileSync(join(dir, 'package.json'), pkg);
  // esbuild's postinstall only re-checks its platform binary (used by the UI bundler, not by `dev`).
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: dir,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: offlineEnv({ npm_config_update_notifier: 'false' }),
  });
  writeFileSync(stampFile, stamp);
  return { dir, cli };
}

export async function startReference({ repo, runDir, jobs }) {
  const { dir, cli } = ensureReference({ repo });
  rmSync(join(dir, '.langgraph_api'), { recursive: true, force: true });
  const port = await freePort();
  const logFile = join(runDir, 'reference.log');
  const url = `http://127.0.0.1:${port}`;
  const args = [cli, 'dev', '--port', String(port), '--host', '127.0.0.1', '--no-browser', '--no-reload'];
  args.push('--studio-url', url, '--config', join(dir, 'langgraph.json'));
  if (jobs) args.push('--n-jobs-per-worker', String(jobs));
  return launch(process.execPath, args, { cwd: dir, logFile, env: offlineEnv({}), port });
}
