import { BadRequestException, Injectable } from '@nestjs/common';
import type { WebhookDelivery } from '@runhook/contracts';
import { type AuthFilters, matchesFilters } from '../auth/auth-filters';
import { AuthService } from '../auth/auth.service';
import { RunsRepository } from '../runs/runs.repository';
import { ThreadsRepository } from '../threads/threads.repository';

/** Deliveries read per page when the log is narrowed in code, and the most read before asking for a narrower query. */
const SCAN_PAGE = 1000;
const SCAN_LIMIT = 10_000;

/** Whether the caller may see one delivery; reuses the owners it has already looked up. */
export type DeliveryCheck = (delivery: Pick<WebhookDelivery, 'run_id' | 'thread_id'>) => Promise<boolean>;

/**
 * Which deliveries the caller may see under custom auth: those of runs whose thread the `threads:read` handler
 * lets them read, matched on the thread's metadata. A delivery whose thread is gone (a stateless run's, or a
 * deleted thread's) is matched on its run's stored metadata, which carries what the `threads:create_run`
 * handler stamped; with neither left, it is hidden.
 */
@Injectable()
export class DeliveryVisibility {
  constructor(
    private readonly auth: AuthService,
    private readonly threads: ThreadsRepository,
    private readonly runs: RunsRepository,
  ) {}

  /** null: the caller sees every delivery (no custom auth, no caller, or no filters). */
  async check(threadId: string | null = null): Promise<DeliveryCheck | null> {
    const { filters } = await this.auth.authorize('threads', 'read', { thread_id: threadId });
    if (!filters) return null;
    const owners = new Map<string, Promise<Record<string, unknown> | null>>();
    const ownerOf = (delivery: Pick<WebhookDelivery, 'run_id' | 'thread_id'>) => {
      const key = `${delivery.thread_id ?? ''}/${delivery.run_id}`;
      let owner = owners.get(key);
      if (!owner) {
        owner = this.metadataOf(delivery);
        owners.set(key, owner);
      }
      return owner;
    };
    return async (delivery) => {
      const metadata = await ownerOf(delivery);
      return metadata !== null && matchesFilters(metadata, filters as AuthFilters);
    };
  }

  /** Every visible item of a paged source, scanned page by page (a 400 past the scan limit). */
  async scan<T extends Pick<WebhookDelivery, 'run_id' | 'thread_id'>>(page: (offset: number, limit: number) => Promise<T[]>, visible: DeliveryCheck): Promise<T[]> {
    const kept: T[] = [];
    for (let scanned = 0; scanned < SCAN_LIMIT; ) {
      const candidates = await page(scanned, SCAN_PAGE);
      scanned += candidates.length;
      for (const candidate of candidates) if (await visible(candidate)) kept.push(candidate);
      if (candidates.length < SCAN_PAGE) return kept;
    }
    throw new BadRequestException({ detail: 'The delivery log is too large to filter for this user; narrow it with run_id, thread_id, cron_id, status or endpoint' });
  }

  private async metadataOf(delivery: Pick<WebhookDelivery, 'run_id' | 'thread_id'>): Promise<Record<string, unknown> | null> {
    const thread = delivery.thread_id ? await this.threads.get(delivery.thread_id) : null;
    if (thread) return thread.metadata ?? {};
    const run = await this.runs.get(delivery.run_id);
    return run ? (run.metadata ?? {}) : null;
  }
}
