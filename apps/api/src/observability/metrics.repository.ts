/** The queue figures read from the database at scrape time (they are the same whatever process asks). */
export interface QueueFigures {
  /** Runs waiting to be claimed, delayed ones (`after_seconds`) included. */
  pendingRuns: number;
  /** When the oldest run that is due but not claimed became due (epoch ms), or null when none waits. */
  oldestDueRunAtMs: number | null;
  /** Deliveries whose next attempt is due and not yet claimed. */
  dueDeliveries: number;
  /** When the longest-waiting due delivery became due (epoch ms), or null. */
  oldestDueDeliveryAtMs: number | null;
}

/** Port for the scrape-time queries; each one is answered from an index (runs_queue, webhook_deliveries_due). */
export abstract class MetricsRepository {
  abstract queueFigures(nowMs: number): Promise<QueueFigures>;
}
