import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { BackgroundTimers } from '../common/background-timers';
import { type AppConfig, InjectConfig } from '../config/app-config';
import { StoreService } from './store.service';

/**
 * Deletes expired store items every `store.ttl.sweep_interval_minutes`. Reads already hide them, so the sweep
 * only reclaims space; any number of processes may sweep the same database.
 */
@Injectable()
export class StoreSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(StoreSweeper.name);
  private readonly timers = new BackgroundTimers(this.logger);

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly store: StoreService,
  ) {}

  onApplicationBootstrap(): void {
    // Forked workers share the api process's database; one sweeper per replica is enough.
    if (this.config.worker.isForkedWorker) return;
    this.timers.every(this.store.settings.ttl.sweepIntervalMinutes * 60_000, async () => {
      await this.sweepOnce();
    });
  }

  onApplicationShutdown(): void {
    this.timers.stop();
  }

  async sweepOnce(): Promise<number> {
    const deleted = await this.store.sweep();
    if (deleted > 0) this.logger.log(`deleted ${deleted} expired store items`);
    return deleted;
  }
}
