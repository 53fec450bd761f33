import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { GraphSpec } from '../../config/langgraph-config';
import type { TypeSchemasByNamespace } from './type-schema-extractor';
import type { TypeSchemaJob, TypeSchemaReply } from './type-schema.worker';

// A few seconds of CPU on an idle machine; several times that on a busy one.
export const TYPE_SCHEMA_TIMEOUT_MS = 60_000;
// Long enough for the other graphs of a project to reuse the parsed typings, short enough not to hold its memory.
const IDLE_MS = 60_000;

interface Pending {
  resolve: (schemas: TypeSchemasByNamespace) => void;
  reject: (error: Error) => void;
}

/** The worker as built (`dist/apps/api/type-schema-worker.js`), or from its TypeScript source when run from `src`. */
function startWorker(): Worker {
  const built = join(__dirname, 'type-schema-worker.js');
  if (existsSync(built)) return new Worker(built);
  const source = join(__dirname, 'type-schema.worker.ts');
  return new Worker(`require('tsx/cjs/api').register(); require(${JSON.stringify(source)});`, { eval: true });
}

/**
 * JSON schemas read from a graph's TypeScript types, for graphs whose state has no runtime schema. The TypeScript
 * compiler takes seconds, so it runs once per graph, when a schema is first asked for, in a worker thread (one job
 * at a time, the machine's cores are the runs'), with a timeout; the answer, or null after a failure (logged), is
 * kept for the life of the process.
 */
@Injectable()
export class TypeSchemaService implements OnApplicationShutdown {
  private readonly logger = new Logger(TypeSchemaService.name);
  private readonly results = new Map<string, Promise<TypeSchemasByNamespace | null>>();
  private readonly pending = new Map<number, Pending>();
  private worker: Worker | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private nextId = 1;
  /** How long one graph's extraction may take before the worker is stopped and the graph gets no type schemas. */
  timeoutMs = TYPE_SCHEMA_TIMEOUT_MS;

  /** The graph's schemas by namespace (`""` is the graph itself), or null when its types could not be read. */
  schemasOf(graphId: string, spec: GraphSpec): Promise<TypeSchemasByNamespace | null> {
    let result = this.results.get(graphId);
    if (!result) {
      const run = this.queue.then(() => this.extract(spec));
      this.queue = run.catch(() => undefined);
      result = run.catch((error: Error) => {
        this.logger.warn(`schemas of graph "${graphId}" (${spec.modulePath}:${spec.exportName}) from its TypeScript types failed: ${error.message}`);
        return null;
      });
      this.results.set(graphId, result);
    }
    return result;
  }

  onApplicationShutdown(): Promise<void> {
    return this.stopWorker();
  }

  private extract(spec: GraphSpec): Promise<TypeSchemasByNamespace> {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    const worker = this.workerNow();
    const id = this.nextId++;
    return new Promise<TypeSchemasByNamespace>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        void this.stopWorker();
        reject(new Error(`timed out after ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.pending.set(id, {
        resolve: (schemas) => (clearTimeout(timer), resolve(schemas)),
        reject: (error) => (clearTimeout(timer), reject(error)),
      });
      const job: TypeSchemaJob = { id, request: { modulePath: spec.modulePath, exportName: spec.exportName } };
      worker.postMessage(job);
    }).finally(() => this.armIdleTimer());
  }

  private workerNow(): Worker {
    if (this.worker) return this.worker;
    const worker = startWorker();
    worker.unref();
    worker.on('message', (reply: TypeSchemaReply) => {
      const waiting = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if ('error' in reply) waiting?.reject(new Error(reply.error));
      else waiting?.resolve(reply.schemas);
    });
    const failAll = (error: Error) => {
      if (this.worker === worker) this.worker = null;
      for (const waiting of this.pending.values()) waiting.reject(error);
      this.pending.clear();
    };
    worker.on('error', failAll);
    worker.on('exit', (code) => failAll(new Error(`the schema worker exited (${code})`)));
    this.worker = worker;
    return worker;
  }

  private armIdleTimer(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => void this.stopWorker(), IDLE_MS);
    this.idleTimer.unref();
  }

  private async stopWorker(): Promise<void> {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    const worker = this.worker;
    this.worker = null;
    if (worker) await worker.terminate();
  }
}
