import { BadRequestException, Injectable, NotFoundException, UnprocessableEntityException } from '@nestjs/common';
import type { Cron, CountCronsDto, CreateCronDto, RunCreateStatelessDto, SearchCronsDto, UpdateCronDto } from '@runhook/contracts';
import { Clock } from '../common/clock';
import { defaultAssistantId, isUuid, uuid4 } from '../common/ids';
import { RunsService } from '../runs/runs.service';
import { ThreadsRepository } from '../threads/threads.repository';
import type { CronFilter, CronFiring, CronRecord } from './cron-record';
import { CronScheduleError, assertSchedule, assertTimezone, nextSlot } from './cron-schedule';
import { CronsRepository } from './crons.repository';

/** Body fields that shape the schedule; everything else is the run payload replayed at each firing. */
const SCHEDULE_FIELDS = new Set(['assistant_id', 'schedule', 'timezone', 'end_time', 'enabled', 'on_run_completed', 'metadata']);

function payloadOf(body: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(body).filter(([key, value]) => !SCHEDULE_FIELDS.has(key) && value !== undefined));
}

/** Rules of the cron API: validation, defaults, `next_run_date`. Firing lives in CronScheduler. */
@Injectable()
export class CronsService {
  private readonly dueListeners: Array<() => void> = [];

  constructor(
    private readonly repository: CronsRepository,
    private readonly runs: RunsService,
    private readonly threads: ThreadsRepository,
    private readonly clock: Clock,
  ) {}

  /** The scheduler listens, so a cron created or changed here is seen at once rather than at the next tick. */
  onScheduleChange(listener: () => void): void {
    this.dueListeners.push(listener);
  }

  async create(threadId: string | null, body: CreateCronDto): Promise<Cron> {
    this.assertScheduleFields(body.schedule, body.timezone);
    if (threadId !== null && !(await this.threads.get(threadId))) throw new NotFoundException({ detail: `Thread ${threadId} not found` });
    const payload = payloadOf(body);
    const assistantId = await this.assertRunnable(threadId, body.assistant_id, payload, body.metadata ?? {});
    const now = this.clock.isoNow();
    const cron: CronRecord = {
      cron_id: uuid4(),
      assistant_id: assistantId,
      thread_id: threadId,
      schedule: body.schedule.trim(),
      timezone: body.timezone ?? null,
      end_time: body.end_time ? new Date(body.end_time).toISOString() : null,
      enabled: body.enabled ?? true,
      on_run_completed: threadId === null ? (body.on_run_completed ?? 'delete') : null,
      payload,
      metadata: body.metadata ?? {},
      user_id: null,
      next_run_date: null,
      created_at: now,
      updated_at: now,
      last_fired_at: null,
      last_firing_lag_ms: null,
    };
    cron.next_run_date = this.nextRunDate(cron);
    await this.repository.insert(cron);
    this.scheduleChanged();
    return cron;
  }

  async get(cronId: string): Promise<Cron> {
    const cron = await this.repository.get(cronId);
    if (!cron) throw new NotFoundException({ detail: `Cron ${cronId} not found` });
    return cron;
  }

  /** Replaces the given fields, merges metadata and recomputes `next_run_date` from now. */
  async update(cronId: string, body: UpdateCronDto): Promise<Cron> {
    const given = Object.entries(body).filter(([, value]) => value !== undefined);
    if (given.length === 0) throw new BadRequestException({ detail: 'Nothing to update: give at least one field' });
    const current = await this.get(cronId);
    const schedule = body.schedule?.trim() ?? current.schedule;
    const timezone = body.timezone ?? current.timezone;
    this.assertScheduleFields(schedule, timezone ?? undefined);
    const payload = { ...current.payload, ...payloadOf(body) };
    const metadata = { ...current.metadata, ...(body.metadata ?? {}) };
    if (body.webhook !== undefined || body.config !== undefined || body.context !== undefined) {
      await this.assertRunnable(current.thread_id, current.assistant_id, payload, metadata);
    }
    const updated: CronRecord = {
      ...(current as CronRecord),
      schedule,
      timezone,
      end_time: body.end_time === undefined ? current.end_time : body.end_time === null ? null : new Date(body.end_time).toISOString(),
      enabled: body.enabled ?? current.enabled,
      on_run_completed: current.thread_id === null ? (body.on_run_completed ?? current.on_run_completed) : null,
      payload,
      metadata,
      updated_at: this.laterThan(current.updated_at),
    };
    updated.next_run_date = this.nextRunDate(updated);
    const saved = await this.repository.update(updated);
    if (!saved) throw new NotFoundException({ detail: `Cron ${cronId} not found` });
    this.scheduleChanged();
    return saved;
  }

  async delete(cronId: string): Promise<void> {
    if (!(await this.repository.delete(cronId))) throw new NotFoundException({ detail: `Cron ${cronId} not found` });
  }

  search(body: SearchCronsDto): Promise<{ items: Cron[]; total: number }> {
    return this.repository.search(
      { ...this.filter(body), enabled: body.enabled },
      { limit: body.limit ?? 10, offset: body.offset ?? 0, sortBy: body.sort_by ?? 'created_at', sortOrder: body.sort_order ?? 'desc' },
    );
  }

  count(body: CountCronsDto): Promise<number> {
    return this.repository.count(this.filter(body));
  }

  async firings(cronId: string, page: { limit: number; offset: number }): Promise<CronFiring[]> {
    await this.get(cronId);
    return this.repository.listFirings(cronId, page);
  }

  private filter(body: CountCronsDto): CronFilter {
    const assistantId = body.assistant_id === undefined || isUuid(body.assistant_id) ? body.assistant_id : defaultAssistantId(body.assistant_id);
    return { assistantId, threadId: body.thread_id, metadata: body.metadata };
  }

  private nextRunDate(cron: CronRecord): string | null {
    if (!cron.enabled) return null;
    const next = nextSlot(cron, this.clock.now());
    if (next === null || (cron.end_time !== null && next > Date.parse(cron.end_time))) return null;
    return new Date(next).toISOString();
  }

  /** A firing read before this update must not apply after it, so updated_at always moves. */
  private laterThan(previous: string): string {
    const now = this.clock.now();
    return new Date(Math.max(now, Date.parse(previous) + 1)).toISOString();
  }

  private assertScheduleFields(schedule: string, timezone: string | undefined): void {
    try {
      assertSchedule(schedule);
      if (timezone !== undefined) assertTimezone(timezone);
    } catch (error) {
      if (error instanceof CronScheduleError) throw new UnprocessableEntityException({ detail: error.message });
      throw error;
    }
  }

  /**
   * A firing's run goes through the rules of `POST /runs` (webhook URL policy included); check them now so a
   * bad cron is refused at once rather than failing at every firing.
   */
  private async assertRunnable(threadId: string | null, assistantId: string, payload: Record<string, unknown>, metadata: object): Promise<string> {
    const body = { ...payload, metadata, assistant_id: assistantId } as RunCreateStatelessDto;
    const command = await this.runs.prepare(threadId, body);
    return command.run.assistant_id;
  }

  private scheduleChanged(): void {
    for (const listener of this.dueListeners) listener();
  }
}
