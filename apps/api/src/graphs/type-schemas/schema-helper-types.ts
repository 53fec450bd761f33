/**
 * TypeScript source placed beside the graph module (so its imports resolve from the project's own node_modules),
 * with type-level readers from a graph's static type to the four shapes the schemas endpoint answers:
 * - a graph export may be a compiled graph, a StateGraph, a factory or a Promise of any of these;
 * - `state` is the update form of the whole state (the reference answers it), `input` the input update,
 *   `output` the output state, `config` the update form of the context definition;
 * - message fields collapse to `BaseMessage` / `BaseMessage[]` (their update types are wide unions of message-like
 *   inputs), `Overwrite` wrappers are dropped, and nesting stops at a few levels so huge types stay readable;
 * - an `any` or `unknown` (a type the project does not resolve), or a graph declaring no context, becomes `never`: no schema.
 */
export const SCHEMA_HELPER_TYPES = `
import type { BaseMessage } from "@langchain/core/messages";
import type { UpdateType, StateDefinition } from "@langchain/langgraph";

type RhIsAny<T> = 0 extends 1 & T ? true : false;
type RhNotAny<T> = RhIsAny<T> extends true ? never : unknown extends T ? never : T;
type RhUnwrapped<T> = Awaited<T extends (...args: any[]) => infer R ? R : T>;
type RhCompiled<T> = RhUnwrapped<T> extends { compile(...args: any[]): infer C } ? C : RhUnwrapped<T>;
type RhBuilder<T> = RhCompiled<T> extends { builder: infer B } ? B : never;

type RhState<T> = RhCompiled<T> extends { "~RunInput": infer U } ? U : never;
type RhInput<T> = RhCompiled<T> extends { "~InputType": infer I } ? I : never;
type RhOutput<T> = RhCompiled<T> extends { "~OutputType": infer O } ? O : never;
type RhConfig<T> = RhBuilder<T> extends { _configSchema?: infer C }
  ? Exclude<C, undefined> extends infer D extends StateDefinition
    ? string extends keyof D ? never : UpdateType<D>
    : never
  : never;

type RhPlain<V> = Exclude<V, { __overwrite__: unknown }>;
type RhIsMessage<V> = V extends BaseMessage ? true : never;
type RhIsMessageList<V> = V extends readonly (infer E)[] ? RhIsMessage<E> : never;
type RhField<V, D extends 0[]> = RhIsAny<V> extends true
  ? V
  : true extends RhIsMessageList<RhPlain<V>>
    ? BaseMessage[]
    : true extends RhIsMessage<RhPlain<V>>
      ? BaseMessage
      : RhShape<RhPlain<V>, D>;
type RhShape<T, D extends 0[] = []> = D extends [0, 0, 0] ? any : { [K in keyof T]: RhField<T[K], [0, ...D]> };
`;
