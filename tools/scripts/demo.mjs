#!/usr/bin/env node
// npm run demo: the api and the demo receiver side by side; one streamed run with a webhook; the delivery the
// receiver got, and whether its token and Standard Webhooks signature checked out.
import { Client } from '@langchain/langgraph-sdk';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Webhook } from 'standardwebhooks';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const API_MAIN = join(ROOT, 'dist/apps/api/main.js');
const RECEIVER_MAIN = join(ROOT, 'dist/apps/receiver/main.js');

function build(project, entry) {
  if (existsSync(entry)) return;
  console.log(`building ${project}…`);
  const result = spawnSync('npx', ['nx', 'build', project], { cwd: ROOT, stdio: 'inherit', env: { ...process.env, NX_DAEMON: 'false' } });
  if (result.status !== 0) throw new Error(`nx build ${project} failed`);
}

function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

function start(name, entry, env) {
  const child = spawn(process.execPath, [entry], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (chunk) => (log += chunk));
  child.stderr.on('data', (chunk) => (log += chunk));
  return { name, child, log: () => log };
}

async function waitUntilUp(url, proc) {
  for (let i = 0; i < 300; i += 1) {
    if (proc.child.exitCode !== null) throw new Error(`${proc.name} exited:\n${proc.log()}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${proc.name} did not start:\n${proc.log()}`);
}

async function main() {
  build('api', API_MAIN);
  build('receiver', RECEIVER_MAIN);
  const folder = mkdtempSync(join(tmpdir(), 'runhook-demo-'));
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  const token = randomBytes(12).toString('hex');
  const [apiPort, receiverPort] = [await freePort(), await freePort()];
  const receiver = start('receiver', RECEIVER_MAIN, {
    RECEIVER_HOST: '127.0.0.1',
    RECEIVER_PORT: String(receiverPort),
    RECEIVER_DB: join(folder, 'receiver.sqlite'),
    RECEIVER_TOKEN: token,
    RECEIVER_SIGNING_SECRETS: secret,
  });
  const api = start('api', API_MAIN, {
    HOST: '127.0.0.1',
    PORT: String(apiPort),
    DATABASE_URL: join(folder, 'runhook.sqlite'),
    WEBHOOK_SIGNING_SECRETS: secret,
  });
  try {
    const receiverUrl = `http://127.0.0.1:${receiverPort}`;
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    await Promise.all([waitUntilUp(`${receiverUrl}/ok`, receiver), waitUntilUp(`${apiUrl}/ok`, api)]);
    console.log(`api      ${apiUrl}   (delivery log: ${apiUrl}/webhooks/deliveries)`);
    console.log(`receiver ${receiverUrl}   (live page: ${receiverUrl}/)\n`);

    const client = new Client({ apiUrl });
    const thread = await client.threads.create();
    const webhook = `${receiverUrl}/webhooks?token=${token}`;
    let runId = '';
    process.stdout.write('streamed reply: ');
    for await (const chunk of client.runs.stream(thread.thread_id, 'agent', {
      input: { messages: [{ role: 'human', content: 'hello from the Runhook demo' }] },
      streamMode: 'messages-tuple',
      webhook,
    })) {
      if (chunk.event === 'metadata') runId = chunk.data.run_id;
      if (chunk.event === 'messages') process.stdout.write(String(chunk.data[0]?.content ?? ''));
    }
    console.log(`\nrun ${runId} ended; waiting for its webhook…\n`);

    let delivered;
    for (let i = 0; i < 100 && !delivered; i += 1) {
      const list = await (await fetch(`${receiverUrl}/deliveries`)).json();
      delivered = (Array.isArray(list) ? list : list.deliveries ?? []).find((item) => item.run_id === runId);
      if (!delivered) await new Promise((r) => setTimeout(r, 100));
    }
    if (!delivered) throw new Error('the receiver got no delivery within 10 s');
    const detail = await (await fetch(`${receiverUrl}/deliveries/${delivered.webhook_id}`)).json();
    const payload = JSON.parse(detail.body);
    console.log('delivery received:');
    console.log(`  webhook-id        ${detail.webhook_id}`);
    console.log(`  attempt           ${detail.attempt}`);
    console.log(`  query             ${detail.query}`);
    console.log(`  run status        ${payload.status}`);
    console.log(`  run_ended_at      ${payload.run_ended_at}`);
    console.log(`  webhook_sent_at   ${payload.webhook_sent_at}`);
    console.log(`  latency           ${detail.latency_ms} ms (run end → receipt)`);
    console.log(`  final message     ${JSON.stringify(payload.values?.messages?.at(-1)?.content)}`);
    console.log(`  headers           ${JSON.stringify(Object.fromEntries(Object.entries(detail.headers).filter(([k]) => k.startsWith('webhook-') || k === 'user-agent')))}`);
    let interop;
    try {
      // Re-checked here with the standardwebhooks npm package; the tolerance is 5 min, and this is seconds old.
      new Webhook(secret).verify(detail.body, detail.headers);
      interop = 'valid';
    } catch (error) {
      interop = `INVALID (${error.message})`;
    }
    console.log('\nverification:');
    console.log(`  receiver (token + @runhook/webhooks signature): ${detail.verified === true ? 'verified' : `NOT verified (${detail.verified})`}`);
    console.log(`  standardwebhooks npm package:                   ${interop}`);
    const [delivery] = await (await fetch(`${apiUrl}/webhooks/deliveries?run_id=${runId}`)).json();
    console.log(`  api delivery log:                               ${delivery?.status} after ${delivery?.attempts} attempt(s)`);
    if (detail.verified !== true || interop !== 'valid') process.exitCode = 1;
  } finally {
    for (const proc of [api, receiver]) proc.child.kill('SIGTERM');
    await Promise.all([api, receiver].map((proc) => new Promise((r) => (proc.child.exitCode !== null ? r() : proc.child.once('exit', r)))));
    rmSync(folder, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error.message ?? error);
  process.exit(1);
});
