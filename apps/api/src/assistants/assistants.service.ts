import { ConflictException, Injectable, NotFoundException, UnprocessableEntityException } from '@nestjs/common';
import type {
  Assistant,
  AssistantVersion,
  CountAssistantsDto,
  CreateAssistantDto,
  ListAssistantVersionsDto,
  SearchAssistantsDto,
  UpdateAssistantDto,
} from '@runhook/contracts';
import { matchesFilters, narrowMetadata } from '../auth/auth-filters';
import { AuthService } from '../auth/auth.service';
import { Clock } from '../common/clock';
import { defaultAssistantId, isUuid, uuid4 } from '../common/ids';
import { GraphRegistry } from '../graphs/graph-registry.service';
import { AssistantPage, AssistantsRepository } from './assistants.repository';

@Injectable()
export class AssistantsService {
  constructor(
    private readonly repository: AssistantsRepository,
    private readonly graphs: GraphRegistry,
    private readonly clock: Clock,
    private readonly auth: AuthService,
  ) {}

  /** Every registered graph gets its system assistant, with the id every LangGraph server derives. */
  async ensureSystemAssistants(): Promise<void> {
    for (const graphId of this.graphs.graphIds()) {
      const now = this.clock.isoNow();
      // Like the LangGraph server, LANGGRAPH_CONFIG seeds a system assistant when it is first created.
      const defaults = this.graphs.defaultsFor(graphId);
      await this.repository.insert({
        assistant_id: defaultAssistantId(graphId),
        graph_id: graphId,
        config: defaults.config,
        context: defaults.context,
        metadata: { created_by: 'system' },
        version: 1,
        name: graphId,
        description: null,
        created_at: now,
        updated_at: now,
      });
    }
  }

  async create(request: CreateAssistantDto): Promise<Assistant> {
    this.assertGraph(request.graph_id);
    const { value: body, filters } = await this.auth.authorize('assistants', 'create', { ...request, metadata: { ...(request.metadata ?? {}) } });
    const now = this.clock.isoNow();
    const assistant: Assistant = {
      assistant_id: body.assistant_id ?? uuid4(),
      graph_id: body.graph_id,
      config: body.config ?? {},
      context: body.context ?? {},
      metadata: body.metadata ?? {},
      version: 1,
      name: body.name ?? body.graph_id,
      description: body.description ?? null,
      created_at: now,
      updated_at: now,
    };
    const created = await this.repository.insert(assistant);
    if (created) return created;
    const existing = body.if_exists === 'do_nothing' ? await this.repository.get(assistant.assistant_id) : null;
    // Another user's assistant under that id is a conflict, never a way to read it.
    if (existing && matchesFilters(existing.metadata, filters)) return existing;
    throw new ConflictException({ detail: `Assistant ${assistant.assistant_id} already exists` });
  }

  /** Accepts a uuid or, as LangGraph servers do, a graph id standing for its system assistant. */
  async get(idOrGraph: string): Promise<Assistant> {
    const assistantId = this.resolveId(idOrGraph);
    const { filters } = await this.auth.authorize('assistants', 'read', { assistant_id: assistantId });
    const assistant = await this.repository.get(assistantId);
    if (!assistant || !matchesFilters(assistant.metadata, filters)) throw new NotFoundException({ detail: `Assistant ${idOrGraph} not found` });
    return assistant;
  }

  /**
   * The assistant a run is to execute. Like the reference, a run names an assistant that does not
   * exist (a uuid or an unknown graph id alike) or whose graph is no longer served: 404. Read without the caller's
   * `assistants:read` filters: a run is authorized as `threads:create_run`, so a user may run a system assistant.
   */
  async getRunnable(idOrGraph: string): Promise<Assistant> {
    // The reference's wording, which clients match on, naming both things the id could have been.
    const missing = () => new NotFoundException({ detail: `No assistant found for "${idOrGraph}". Make sure the assistant ID is for a valid assistant or a valid graph ID.` });
    if (!isUuid(idOrGraph) && !this.graphs.has(idOrGraph)) throw missing();
    const assistant = await this.repository.get(this.resolveId(idOrGraph));
    if (!assistant) throw missing();
    this.assertGraph(assistant.graph_id);
    return assistant;
  }

  resolveId(idOrGraph: string): string {
    if (isUuid(idOrGraph)) return idOrGraph.toLowerCase();
    if (this.graphs.has(idOrGraph)) return defaultAssistantId(idOrGraph);
    throw new UnprocessableEntityException({
      detail: `Invalid assistant: '${idOrGraph}'. Must be either a valid assistant UUID or one of the registered graphs: ${this.graphs.graphIds().join(', ')}`,
    });
  }

  async update(idOrGraph: string, request: UpdateAssistantDto): Promise<Assistant> {
    if (request.graph_id !== undefined) this.assertGraph(request.graph_id);
    const assistantId = this.resolveId(idOrGraph);
    const { assistant_id: _id, ...body } = await this.auth.authorizeOne(
      'assistants',
      'update',
      { ...request, assistant_id: assistantId },
      async () => (await this.repository.get(assistantId))?.metadata,
      `Assistant ${idOrGraph} not found`,
    );
    const updated = await this.repository.update(assistantId, body, this.clock.isoNow());
    if (!updated) throw new NotFoundException({ detail: `Assistant ${idOrGraph} not found` });
    return updated;
  }

  /** Answers the deleted assistant's id (a graph id resolves to its system assistant's). */
  async delete(idOrGraph: string): Promise<string> {
    const assistantId = this.resolveId(idOrGraph);
    const missing = `Assistant ${idOrGraph} not found`;
    await this.auth.authorizeOne('assistants', 'delete', { assistant_id: assistantId }, async () => (await this.repository.get(assistantId))?.metadata, missing);
    if (!(await this.repository.delete(assistantId))) {
      throw new NotFoundException({ detail: `Assistant ${idOrGraph} not found` });
    }
    return assistantId;
  }

  async search(body: SearchAssistantsDto): Promise<AssistantPage> {
    const metadata = await this.searchableMetadata(body);
    if (metadata === null) return { items: [], total: 0 };
    return this.repository.search(
      { graph_id: body.graph_id, name: body.name, metadata },
      { limit: body.limit ?? 10, offset: body.offset ?? 0, sortBy: body.sort_by ?? 'created_at', sortOrder: body.sort_order ?? 'desc' },
    );
  }

  async count(body: CountAssistantsDto): Promise<number> {
    const metadata = await this.searchableMetadata(body);
    if (metadata === null) return 0;
    return this.repository.count({ graph_id: body.graph_id, name: body.name, metadata });
  }

  /** The caller's metadata filter narrowed by the auth filters; null when nothing can match both. */
  private async searchableMetadata(body: CountAssistantsDto): Promise<Record<string, unknown> | undefined | null> {
    const { value, filters } = await this.auth.authorize('assistants', 'search', { ...body });
    return narrowMetadata(value.metadata, filters);
  }

  async versions(idOrGraph: string, body: ListAssistantVersionsDto): Promise<AssistantVersion[]> {
    const assistantId = this.resolveId(idOrGraph);
    const missing = `Assistant ${idOrGraph} not found`;
    await this.auth.authorizeOne('assistants', 'read', { assistant_id: assistantId }, async () => (await this.repository.get(assistantId))?.metadata, missing);
    const versions = await this.repository.listVersions(assistantId, {
      metadata: body.metadata,
      limit: body.limit ?? 10,
      offset: body.offset ?? 0,
    });
    if (versions.length === 0) throw new NotFoundException({ detail: `Assistant ${idOrGraph} not found` });
    return versions;
  }

  async setLatest(idOrGraph: string, version: number): Promise<Assistant> {
    const assistantId = this.resolveId(idOrGraph);
    const missing = `Assistant ${idOrGraph} not found`;
    await this.auth.authorizeOne('assistants', 'update', { assistant_id: assistantId, version }, async () => (await this.repository.get(assistantId))?.metadata, missing);
    const assistant = await this.repository.setLatest(this.resolveId(idOrGraph), version, this.clock.isoNow());
    if (!assistant) throw new NotFoundException({ detail: `Assistant ${idOrGraph} or its version ${version} not found` });
    return assistant;
  }

  private assertGraph(graphId: string): void {
    if (!this.graphs.has(graphId)) throw new NotFoundException({ detail: `Graph ${graphId} not found` });
  }
}
