/** Error body of every non-2xx answer; the SDK-py reads `detail`. */
export interface ErrorBody {
  /** Usually a message string; validation failures may carry a list. */
  detail: string | unknown;
}

/** Any JSON value; the server stores it without looking inside. */
export type Json = unknown;

export type Metadata = Record<string, unknown>;

export const SORT_ORDERS = ['asc', 'desc'] as const;
export type SortOrder = (typeof SORT_ORDERS)[number];

/** What a create does when the id already exists (assistants, threads). */
export const IF_EXISTS_ACTIONS = ['raise', 'do_nothing'] as const;
export type IfExists = (typeof IF_EXISTS_ACTIONS)[number];

/** LangGraph RunnableConfig as stored on assistants, threads and runs. Extra keys are kept. */
export interface Config {
  tags?: string[];
  recursion_limit?: number;
  configurable?: Record<string, unknown>;
  [key: string]: unknown;
}
