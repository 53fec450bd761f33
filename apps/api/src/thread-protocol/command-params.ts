import { HttpException } from '@nestjs/common';
import { MULTITASK_STRATEGIES, type MultitaskStrategy, RunCreateStatelessDto } from '@runhook/contracts';
import { createValidationPipe, unprocessable } from '../common/validation';
import { type EventFilter, type Namespace, type ProtocolCommand, isProtocolChannel } from './protocol-types';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalObject(params: Json, field: string, path: string): Json | undefined {
  const value = params[field];
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw unprocessable(`${path}.${field}: must be an object`);
  return value;
}

function isNonNegativeInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

/** The envelope every command has: `{id, method, params}`. */
export function parseCommand(body: unknown): ProtocolCommand {
  if (!isObject(body)) throw unprocessable('body: must be a JSON object {id, method, params}');
  if (!isNonNegativeInteger(body['id'])) throw unprocessable('id: must be a non-negative integer');
  if (typeof body['method'] !== 'string' || body['method'] === '') throw unprocessable('method: must be a non-empty string');
  const params = body['params'] ?? {};
  if (!isObject(params)) throw unprocessable('params: must be an object');
  return { id: body['id'], method: body['method'], params };
}

export interface RunStartParams {
  assistantId: string;
  input: unknown;
  config?: Json;
  metadata?: Json;
  context?: Json;
  multitaskStrategy?: MultitaskStrategy;
}

function multitaskStrategyOf(params: Json): MultitaskStrategy | undefined {
  // The SDK sends both spellings (older servers read only the camel-case one).
  const field = params['multitask_strategy'] !== undefined ? 'multitask_strategy' : 'multitaskStrategy';
  const value = params[field];
  if (value === undefined || value === null) return undefined;
  if (!(MULTITASK_STRATEGIES as readonly unknown[]).includes(value)) {
    throw unprocessable(`params.${field}: must be one of ${MULTITASK_STRATEGIES.join(', ')}`);
  }
  return value as MultitaskStrategy;
}

export function parseRunStart(params: Json): RunStartParams {
  const assistantId = params['assistant_id'];
  if (typeof assistantId !== 'string' || assistantId === '') throw unprocessable('params.assistant_id: must be a non-empty string');
  return {
    assistantId,
    input: params['input'] ?? null,
    config: optionalObject(params, 'config', 'params'),
    metadata: optionalObject(params, 'metadata', 'params'),
    context: optionalObject(params, 'context', 'params'),
    multitaskStrategy: multitaskStrategyOf(params),
  };
}

export interface InputRespondParams {
  /** Answers by interrupt id: resumed together in one run. */
  responses: Map<string, unknown>;
  update?: Json | [string, unknown][];
  goto?: unknown;
  config?: Json;
  metadata?: Json;
}

function interruptIdOf(entry: Json, path: string): string {
  const id = entry['interrupt_id'];
  if (typeof id !== 'string' || id === '') throw unprocessable(`${path}.interrupt_id: must be a non-empty string`);
  return id;
}

/** One answer (`interrupt_id`, `response`) or several at once (`responses: [{interrupt_id, response}]`). */
export function parseInputRespond(params: Json): InputRespondParams {
  const responses = new Map<string, unknown>();
  if (params['responses'] !== undefined) {
    const entries = params['responses'];
    if (!Array.isArray(entries) || entries.length === 0) throw unprocessable('params.responses: must be a non-empty array');
    entries.forEach((entry, index) => {
      const path = `params.responses[${index}]`;
      if (!isObject(entry)) throw unprocessable(`${path}: must be an object {interrupt_id, response}`);
      responses.set(interruptIdOf(entry, path), entry['response'] ?? null);
    });
  } else {
    responses.set(interruptIdOf(params, 'params'), params['response'] ?? null);
  }
  const update = params['update'];
  if (update !== undefined && update !== null && !isObject(update) && !Array.isArray(update)) {
    throw unprocessable('params.update: must be an object or a list of [key, value] pairs');
  }
  const goto = params['goto'];
  if (goto !== undefined && goto !== null && typeof goto !== 'string' && !isObject(goto) && !Array.isArray(goto)) {
    throw unprocessable('params.goto: must be a node name, a {node, input} send, or a list of them');
  }
  return {
    responses,
    update: (update ?? undefined) as InputRespondParams['update'],
    goto: goto ?? undefined,
    config: optionalObject(params, 'config', 'params'),
    metadata: optionalObject(params, 'metadata', 'params'),
  };
}

function parseNamespaces(value: unknown, path: string): Namespace[] | undefined {
  if (value === undefined || value === null) return undefined;
  const valid = Array.isArray(value) && value.every((entry) => Array.isArray(entry) && entry.every((segment) => typeof segment === 'string'));
  if (!valid) throw unprocessable(`${path}.namespaces: must be a list of namespaces (lists of strings)`);
  return value as Namespace[];
}

/**
 * The filter of an event stream (`POST .../stream/events` body, path `body`) or of a subscription
 * (`subscription.subscribe` params, path `params`): channels, namespace prefixes, depth, and `since`.
 */
export function parseEventFilter(body: unknown, path: 'body' | 'params'): EventFilter {
  if (!isObject(body)) throw unprocessable(`${path}: must be a JSON object {channels, namespaces?, depth?, since?}`);
  const channels = body['channels'];
  if (!Array.isArray(channels) || channels.length === 0) throw unprocessable(`${path}.channels: must be a non-empty list of channels`);
  const unknown = channels.find((channel) => !isProtocolChannel(channel));
  if (unknown !== undefined) {
    throw unprocessable(`${path}.channels: unknown channel ${JSON.stringify(unknown)} (values, updates, messages, tools, lifecycle, input, checkpoints, tasks, custom, custom:<name>)`);
  }
  const filter: EventFilter = { channels: new Set(channels as string[]) };
  const namespaces = parseNamespaces(body['namespaces'], path);
  if (namespaces) filter.namespaces = namespaces;
  for (const field of ['depth', 'since'] as const) {
    const value = body[field];
    if (value === undefined || value === null) continue;
    if (!isNonNegativeInteger(value)) throw unprocessable(`${path}.${field}: must be a non-negative integer`);
    filter[field] = value;
  }
  return filter;
}

/** `state.get` may name the state keys it wants. */
export function parseStateKeys(params: Json): string[] | undefined {
  const keys = params['keys'];
  if (keys === undefined || keys === null) return undefined;
  if (!Array.isArray(keys) || !keys.every((key) => typeof key === 'string')) throw unprocessable('params.keys: must be a list of strings');
  return keys as string[];
}

export function parseSubscriptionId(params: Json): string {
  const id = params['subscription_id'];
  if (typeof id !== 'string' || id === '') throw unprocessable('params.subscription_id: must be a non-empty string');
  return id;
}

const runBodyPipe = createValidationPipe();

/**
 * The run a command asks for, checked by the same rules as a `POST /threads/{id}/runs` body, so a bad `config`,
 * `context` or `command` is a 422 naming its field under `params` rather than a failure further in.
 */
export async function validatedRunBody(body: Record<string, unknown>): Promise<RunCreateStatelessDto> {
  try {
    return (await runBodyPipe.transform(body, { type: 'body', metatype: RunCreateStatelessDto })) as RunCreateStatelessDto;
  } catch (error) {
    if (!(error instanceof HttpException)) throw error;
    const detail = String((error.getResponse() as { detail?: unknown }).detail ?? error.message);
    // The resume value and jump of input.respond are its `response`/`responses` and `goto`.
    throw unprocessable(
      detail
        .split('; ')
        .map((part) => `params.${part.replace(/^command\.resume/, 'response').replace(/^command\./, '')}`)
        .join('; '),
    );
  }
}
