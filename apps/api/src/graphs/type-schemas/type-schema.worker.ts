import { parentPort } from 'node:worker_threads';
import type * as ts from 'typescript';
import { extractTypeSchemas, type TypeSchemaRequest, type TypeSchemasByNamespace } from './type-schema-extractor';

export interface TypeSchemaJob {
  id: number;
  request: TypeSchemaRequest;
}

export type TypeSchemaReply = { id: number; schemas: TypeSchemasByNamespace } | { id: number; error: string };

// Parsed files outlive a job: the next graph of the same project reads the same LangChain typings.
const parsed = new Map<string, ts.SourceFile>();

parentPort?.on('message', (job: TypeSchemaJob) => {
  let reply: TypeSchemaReply;
  try {
    reply = { id: job.id, schemas: extractTypeSchemas(job.request, parsed) };
  } catch (error) {
    reply = { id: job.id, error: (error as Error)?.stack ?? String(error) };
  }
  parentPort?.postMessage(reply);
});
