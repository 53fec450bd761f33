#!/usr/bin/env node
// Installs the BUILT @runhook/contracts (dist/libs/contracts, packed with npm) into a throwaway
// folder and uses it the way another service would: by package name, not through the source, from
// JavaScript and from TypeScript compiled with tsc. A failing `npm install` of the tarball fails the check.
// Offline: the package has no dependencies of its own; the peers named in the tarball's own
// peerDependencies are linked from the workspace's node_modules, each checked against its range.
// Run `nx run contracts:consumer-check` (it builds first). KEEP_TMP=1 keeps the folder.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const dist = join(root, 'dist/libs/contracts');
const requireFromRoot = createRequire(join(root, 'package.json'));
const semver = requireFromRoot('semver');
const tsc = join(root, 'node_modules/typescript/bin/tsc');

const validPayload = {
  run_id: '018f2c1e-8a5b-7c3d-9e4f-123456789abc',
  thread_id: '018f2c1e-8a5b-7c3d-9e4f-123456789abd',
  assistant_id: 'fe096781-5601-53d2-b2f6-0d3403f7e9ca',
  created_at: '2026-01-02T03:04:05.000Z',
  updated_at: '2026-01-02T03:04:06.000Z',
  status: 'error',
  metadata: {},
  multitask_strategy: 'enqueue',
  kwargs: { config: {}, stream_mode: ['values'], temporary: false, subgraphs: false, resumable: false },
  run_started_at: '2026-01-02T03:04:05.100Z',
  run_ended_at: '2026-01-02T03:04:06.000Z',
  webhook_sent_at: '2026-01-02T03:04:06.500Z',
  values: null,
  error: { error: 'ValueError', message: 'boom' },
  unknown_field: 'is dropped',
};

function fail(message) {
  console.error(`contracts-consumer: FAIL: ${message}`);
  process.exitCode = 1;
}

function run(command, args, cwd) {
  return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** npm install of the tarball, as a consumer would; when npm cannot install it, the check fails. */
function installTarball(app, tarball) {
  try {
    run('npm', ['install', '--no-save', '--offline', '--legacy-peer-deps', '--ignore-scripts', '--no-audit', '--no-fund', '--no-package-lock', tarball], app);
  } catch (error) {
    throw new Error(`npm install of ${tarball} failed: ${String(error.stderr || error.message).trim()}`);
  }
}

/**
 * Provides the peers the installed package declares (its own package.json, from the tarball), after the install so
 * that npm does not prune them: each from the workspace, whose version must satisfy the declared range.
 */
function linkPeers(app) {
  const installed = JSON.parse(readFileSync(join(app, 'node_modules/@runhook/contracts/package.json'), 'utf8'));
  const peers = Object.entries(installed.peerDependencies ?? {});
  if (peers.length === 0) throw new Error('the packed package.json declares no peerDependencies');
  for (const [name, range] of peers) {
    const source = join(root, 'node_modules', name);
    if (!existsSync(source)) throw new Error(`peer ${name} is not installed in the workspace (${source})`);
    const { version } = JSON.parse(readFileSync(join(source, 'package.json'), 'utf8'));
    if (!semver.satisfies(version, range)) throw new Error(`peer ${name}@${version} does not satisfy the declared range ${range}`);
    symlinkSync(source, join(app, 'node_modules', name), 'dir');
  }
  return peers.map(([name, range]) => `${name}@${range}`);
}

/** A strict TypeScript consumer of the package's types, compiled with tsc against the installed package only. */
function compileTypeScriptConsumer(app) {
  writeFileSync(
    join(app, 'consumer.ts'),
    [
      "import 'reflect-metadata';",
      "import { RunCreateStatelessDto, validateContract, validateWebhookPayload, type DeliveryStatus, type WebhookPayload } from '@runhook/contracts';",
      '',
      `const result = validateWebhookPayload(JSON.parse(${JSON.stringify(JSON.stringify(validPayload))}) as unknown);`,
      'const payload: WebhookPayload | null = result.ok ? result.payload : null;',
      "const status: DeliveryStatus = 'refused';",
      "const body = validateContract(RunCreateStatelessDto, { assistant_id: 'agent', config: { tags: ['a'] } });",
      'const assistant: string | null = body.ok ? body.value.assistant_id : null;',
      'console.log(payload?.run_id ?? "invalid", status, assistant);',
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(app, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { strict: true, target: 'ES2022', module: 'commonjs', moduleResolution: 'node', esModuleInterop: true, skipLibCheck: false, types: [], outDir: 'out' },
      files: ['consumer.ts'],
    }),
  );
  const result = spawnSync(process.execPath, [tsc, '-p', join(app, 'tsconfig.json')], { cwd: app, encoding: 'utf8' });
  if (result.status !== 0) return fail(`tsc could not compile a TypeScript consumer:\n${result.stdout}${result.stderr}`);
  const ran = spawnSync(process.execPath, [join(app, 'out/consumer.js')], { cwd: app, encoding: 'utf8' });
  if (ran.status !== 0 || !ran.stdout.includes(validPayload.run_id)) fail(`the compiled consumer did not run: ${ran.stdout}${ran.stderr}`);
}

function checkResults(app) {
  const requireFromApp = createRequire(join(app, 'package.json'));
  const entry = requireFromApp.resolve('@runhook/contracts');
  if (!realpathSync(entry).startsWith(realpathSync(join(app, 'node_modules', '@runhook', 'contracts')) + sep)) {
    fail(`@runhook/contracts resolved to ${entry}, not to the installed package`);
  }
  if (!existsSync(join(dirname(entry), 'index.d.ts'))) fail('the installed package has no index.d.ts next to its entry');

  requireFromApp('reflect-metadata');
  const { validateWebhookPayload } = requireFromApp('@runhook/contracts');
  if (typeof validateWebhookPayload !== 'function') return fail('validateWebhookPayload is not exported');

  const valid = validateWebhookPayload(validPayload);
  if (!valid.ok) return fail(`a valid payload was rejected: ${valid.errors.join('; ')}`);
  if ('unknown_field' in valid.payload) fail('an unknown field survived validation');
  if (valid.payload.error?.message !== 'boom') fail('the nested error object was lost');

  const { run_id: _runId, ...withoutRunId } = validPayload;
  const invalid = validateWebhookPayload({ ...withoutRunId, status: 'finished' });
  const errors = invalid.ok ? [] : invalid.errors;
  if (invalid.ok) fail('a payload without run_id and with status "finished" was accepted');
  if (!errors.some((error) => error.startsWith('run_id '))) fail(`no error names run_id: ${errors.join('; ')}`);
  if (!errors.some((error) => error.startsWith('status must be one of'))) fail(`no error names status: ${errors.join('; ')}`);
  return errors;
}

/** Without the polyfill the package must stop with a message that says what to add. */
function checkMissingPolyfillMessage(app) {
  const result = spawnSync(process.execPath, ['-e', "require('@runhook/contracts')"], { cwd: app, encoding: 'utf8' });
  if (result.status === 0 || !result.stderr.includes("import 'reflect-metadata'")) {
    fail(`loading without reflect-metadata should fail with a hint; got status ${result.status}: ${result.stderr.slice(0, 300)}`);
  }
}

function main() {
  if (!existsSync(join(dist, 'package.json'))) {
    return fail(`${dist} has no package.json: build it first (nx build contracts)`);
  }
  const tmp = mkdtempSync(join(tmpdir(), 'runhook-contracts-consumer-'));
  try {
    const [{ filename }] = JSON.parse(run('npm', ['pack', dist, '--pack-destination', tmp, '--json', '--silent'], tmp));
    const app = join(tmp, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'runhook-contracts-probe', private: true }));
    installTarball(app, join(tmp, filename));
    const peers = linkPeers(app);
    const errors = checkResults(app);
    checkMissingPolyfillMessage(app);
    compileTypeScriptConsumer(app);
    if (!process.exitCode) {
      console.log(`contracts-consumer: OK (${filename} installed with npm install; peers ${peers.join(', ')}; compiled with tsc; invalid payload -> ${errors.join('; ')})`);
    }
  } finally {
    if (process.env.KEEP_TMP) console.log(`contracts-consumer: kept ${tmp}`);
    else rmSync(tmp, { recursive: true, force: true });
  }
}

try {
  main();
} catch (error) {
  fail(error instanceof Error ? error.stack : String(error));
}
