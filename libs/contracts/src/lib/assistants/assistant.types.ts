import type { Config, Metadata } from '../common/common.types';

export interface Assistant {
  assistant_id: string;
  graph_id: string;
  config: Config;
  context: Record<string, unknown> | null;
  metadata: Metadata;
  /** Starts at 1 and grows by one per update. */
  version: number;
  name: string;
  description: string | null;
  created_at: string;
  updated_at: string;
}

export type AssistantVersion = Omit<Assistant, 'updated_at'>;

export interface AssistantGraph {
  nodes: { id: string; type?: string; name?: string; data?: unknown; metadata?: unknown }[];
  edges: { source: string; target: string; data?: unknown; conditional?: boolean }[];
}

/** JSON Schemas of a graph; null where the graph does not declare one. */
export interface AssistantSchemas {
  graph_id: string;
  input_schema: Record<string, unknown> | null;
  output_schema: Record<string, unknown> | null;
  state_schema: Record<string, unknown> | null;
  config_schema: Record<string, unknown> | null;
  context_schema: Record<string, unknown> | null;
}

export const ASSISTANT_SORT_FIELDS = ['assistant_id', 'graph_id', 'name', 'created_at', 'updated_at'] as const;
export type AssistantSortField = (typeof ASSISTANT_SORT_FIELDS)[number];
