import { type RunningServer, type ServerOptions, startApiServer } from '@runhook/testing';

/**
 * The server processes of a fault test: it records every exit, so the test can tell the processes it killed
 * (kill -9) from one that died by itself, which is always a failure.
 */
export class ProcessFleet {
  private readonly servers = new Map<RunningServer, string>();
  private readonly ending = new Set<RunningServer>();
  readonly unexpectedExits: string[] = [];
  kills = 0;

  async start(name: string, options: ServerOptions): Promise<RunningServer> {
    // A loaded machine (CI, or several suites at once) can take long to start a Nest process.
    const server = await startApiServer({ startTimeoutMs: 90_000, ...options });
    this.servers.set(server, name);
    server.process.once('exit', (code, signal) => {
      if (this.ending.has(server)) return;
      this.unexpectedExits.push(`${name} (pid ${server.process.pid}) exited with ${code ?? signal}:\n${server.output().slice(-4_000)}`);
    });
    return server;
  }

  /** The started processes still running, under `name` (all of them when omitted). */
  alive(name?: string): RunningServer[] {
    return [...this.servers]
      .filter(([server, serverName]) => !this.ending.has(server) && (name === undefined || serverName === name))
      .map(([server]) => server);
  }

  async kill(server: RunningServer): Promise<void> {
    this.ending.add(server);
    this.kills++;
    await server.crash();
  }

  /** Everything the fleet started and still runs answers `/ok`. */
  async allServing(): Promise<boolean> {
    const answers = await Promise.all(this.alive().map((server) => fetch(`${server.url}/ok`).then((response) => response.ok, () => false)));
    return answers.every(Boolean);
  }

  async stopAll(): Promise<void> {
    const running = this.alive();
    for (const server of running) this.ending.add(server);
    await Promise.all(running.map((server) => server.stop()));
  }

  /** Every process's output, for a failure message. */
  outputs(): string {
    return [...this.servers].map(([server, name]) => `--- ${name} pid ${server.process.pid}\n${server.output().slice(-1_500)}`).join('\n');
  }
}

/** A small seeded generator (mulberry32): a failing chaos run can be replayed with its printed seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
