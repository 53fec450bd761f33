import { ValidateBy, type ValidationOptions } from 'class-validator';

/** Largest accepted `config.recursion_limit` (LangGraph's default is 25). */
export const MAX_RECURSION_LIMIT = 100_000;
/** Largest accepted `config.max_concurrency`. */
export const MAX_CONFIG_CONCURRENCY = 10_000;

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isIntegerIn = (value: unknown, min: number, max: number): boolean =>
  typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;

/**
 * What is wrong with a LangGraph RunnableConfig, or null. The keys LangGraph reads get their types checked (a
 * string for `tags`, for instance, would fail deep inside a run); other keys are kept as they are.
 */
export function runnableConfigProblem(value: unknown, property = 'config'): string | null {
  if (!isPlainObject(value)) return `${property} must be an object`;
  const { tags, recursion_limit, configurable, metadata, run_name, run_id, max_concurrency, callbacks } = value;
  if (tags !== undefined && !(Array.isArray(tags) && tags.every((tag) => typeof tag === 'string'))) return `${property}.tags must be a list of strings`;
  if (recursion_limit !== undefined && !isIntegerIn(recursion_limit, 1, MAX_RECURSION_LIMIT)) {
    return `${property}.recursion_limit must be an integer between 1 and ${MAX_RECURSION_LIMIT}`;
  }
  if (max_concurrency !== undefined && !isIntegerIn(max_concurrency, 1, MAX_CONFIG_CONCURRENCY)) {
    return `${property}.max_concurrency must be an integer between 1 and ${MAX_CONFIG_CONCURRENCY}`;
  }
  if (configurable !== undefined && !isPlainObject(configurable)) return `${property}.configurable must be an object`;
  if (metadata !== undefined && !isPlainObject(metadata)) return `${property}.metadata must be an object`;
  if (run_name !== undefined && typeof run_name !== 'string') return `${property}.run_name must be a string`;
  if (run_id !== undefined && typeof run_id !== 'string') return `${property}.run_id must be a string`;
  // Callbacks are code, which JSON cannot carry; anything sent here would be handed to LangChain as handlers.
  if (callbacks !== undefined && callbacks !== null) return `${property}.callbacks cannot be sent over HTTP`;
  return null;
}

/** A LangGraph RunnableConfig: an object whose known keys have the types LangGraph expects. */
export function IsRunnableConfig(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isRunnableConfig',
      validator: {
        validate: (value: unknown) => runnableConfigProblem(value) === null,
        defaultMessage: (args) => runnableConfigProblem(args?.value, args?.property) ?? `${args?.property} must be a valid config`,
      },
    },
    options,
  );
}
