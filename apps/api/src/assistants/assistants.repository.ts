import type { Assistant, AssistantVersion } from '@runhook/contracts';

export interface AssistantFilter {
  graph_id?: string;
  name?: string;
  metadata?: Record<string, unknown>;
}

export interface AssistantPage {
  items: Assistant[];
  total: number;
}

export interface AssistantPatch {
  graph_id?: string;
  config?: Assistant['config'];
  context?: Assistant['context'];
  metadata?: Record<string, unknown>;
  name?: string;
  description?: string | null;
}

/** Storage port for assistants and their version history. */
export abstract class AssistantsRepository {
  /** Inserts the assistant and its version 1; returns null when the id is taken. */
  abstract insert(assistant: Assistant): Promise<Assistant | null>;
  abstract get(assistantId: string): Promise<Assistant | null>;
  /** Applies the patch as a new version (metadata merged) and makes it current. */
  abstract update(assistantId: string, patch: AssistantPatch, now: string): Promise<Assistant | null>;
  abstract delete(assistantId: string): Promise<boolean>;
  abstract search(
    filter: AssistantFilter,
    page: { limit: number; offset: number; sortBy: string; sortOrder: 'asc' | 'desc' },
  ): Promise<AssistantPage>;
  abstract count(filter: AssistantFilter): Promise<number>;
  abstract listVersions(
    assistantId: string,
    filter: { metadata?: Record<string, unknown>; limit: number; offset: number },
  ): Promise<AssistantVersion[]>;
  abstract setLatest(assistantId: string, version: number, now: string): Promise<Assistant | null>;
}
