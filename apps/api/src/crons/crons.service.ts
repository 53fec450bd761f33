import { BadRequestException, Injectable, NotFoundException, UnprocessableEntityException } from '@nestjs/common';
import type { Cron, CountCronsDto, CreateCronDto, RunCreateStatelessDto, SearchCronsDto, UpdateCronDto } from '@runhook/contracts';
import { AuthContext } from '../auth/auth-context';
import { narrowMetadata } from '../auth/auth-filters';
import { AuthService } from '../auth/auth.service';
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

/** The cron as clients see it: the owner's stored credentials stay server-side. */
function toWire(cron: CronRecord): Cron {
  const { auth_user: _owner, ...wire } = cron;
  return wire;
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
    private readonly auth: AuthService,
  ) {}

  /** The scheduler listens, so a cron created or changed here is seen at once rather than at the next tick. */
  onScheduleChange(listener: () => void): void {
    this.dueListeners.push(listener);
  }

  async create(threadId: string | null, body: CreateCronDto): Promise<Cron> {
    this.assertScheduleFields(body.schedule, body.timezone);
    if (threadId !== null && !(await this.threads.get(threadId))) throw new NotFoundException({ detail: `Thread ${threadId} not found` });
    const payload = payloadOf(body);
    // The handler may stamp the metadata (an owner); a cron's reads, updates and deletes are filtered on it.
    const { value } = await this.auth.authorize('crons', 'create', { thread_id: threadId, assistant_id: body.assistant_id, schedule: body.schedule, metadata: { ...(body.metadata ?? {}) }, payload });
    const metadata = value.metadata;
    const assistantId = await this.assertRunnable(threadId, body.assistant_id, payload, metadata);
    const owner = AuthContext.current();
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
      metadata,
      user_id: owner?.user.identity ?? null,
      next_run_date: null,
      created_at: now,
      updated_at: now,
      last_fired_at: null,
      last_firing_lag_ms: null,
      auth_user: owner,
    };
    cron.next_run_date = this.nextRunDate(cron);
    await this.repository.insert(cron);
    this.scheduleChanged();
    return toWire(cron);
  }

  async get(cronId: string): Promise<Cron> {
    return toWire(await this.authorized(cronId, 'read'));
  }

  /** The cron if the `crons:<action>` handler's filters let the caller see it; otherwise (or missing) a 404. */
  private async authorized(cronId: string, action: 'read' | 'update' | 'delete'): Promise<CronRecord> {
    const missing = `Cron ${cronId} not found`;
    const cron = await this.repository.get(cronId);
    if (!cron) throw new NotFoundException({ detail: missing });
    await this.auth.authorizeOne('crons', action, { cron_id: cronId }, async () => cron.metadata, missing);
    return cron;
  }

  /** Replaces the given fields, merges metadata and recomputes `next_run_date` from now. */
  async update(cronId: string, body: UpdateCronDto): Promise<Cron> {
    const given = Object.entries(body).filter(([, value]) => value !== undefined);
    if (given.length === 0) throw new BadRequestException({ detail: 'Nothing to update: give at least one field' });
    const current = await this.authorized(cronId, 'update');
    const schedule = body.schedule?.trim() ?? current.schedule;
    const timezone = body.timezone ?? current.timezone;
    this.assertScheduleFields(schedule, timezone ?? undefined);
    const payload = { ...current.payload, ...payloadOf(body) };
    const metadata = { ...current.metadata, ...(body.metadata ?? {}) };
    if (body.webhook !== undefined || body.config !== undefined || body.context !== undefined) {
      await this.assertRunnable(current.thread_id, current.assistant_id, payload, metadata);
    }
    const updated: CronRecord = {
      ...current,
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
    return toWire(saved);
  }

  async delete(cronId: string): Promise<void> {
    await this.authorized(cronId, 'delete');
    if (!(await this.repository.delete(cronId))) throw new NotFoundException({ detail: `Cron ${cronId} not found` });
  }

  async search(body: SearchCronsDto): Promise<{ items: Cron[]; total: number }> {
    const filter = await this.filter(body);
    if (!filter) return { items: [], total: 0 };
    const page = await this.repository.search(
      { ...filter, enabled: body.enabled },
      { limit: body.limit ?? 10, offset: body.offset ?? 0, sortBy: body.sort_by ?? 'created_at', sortOrder: body.sort_order ?? 'desc' },
    );
    return { items: page.items.map(toWire), total: page.total };
  }

  async count(body: CountCronsDto): Promise<number> {
    const filter = await this.filter(body);
    return filter ? this.repository.count(filter) : 0;
  }

  async firings(cronId: string, page: { limit: number; offset: number }): Promise<CronFiring[]> {
    await this.authorized(cronId, 'read');
    return this.repository.listFirings(cronId, page);
  }

  /** The repository filter, narrowed by the `crons:search` handler's filters; null when nothing can match. */
  private async filter(body: CountCronsDto): Promise<CronFilter | null> {
    const { value, filters } = await this.auth.authorize('crons', 'search', { ...body });
    const metadata = narrowMetadata(value.metadata, filters);
    if (metadata === null) return null;
    // `null` is "no filter", like an absent field (class-validator's IsOptional lets both through).
    const asked = value.assistant_id ?? undefined;
    const assistantId = asked === undefined || isUuid(asked) ? asked : defaultAssistantId(asked);
    return { assistantId, threadId: value.thread_id ?? undefined, ...(metadata === undefined ? {} : { metadata }) };
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
