import { IsArray, IsIn, IsOptional, IsUUID } from 'class-validator';
import { PRUNE_STRATEGIES, type PruneStrategy } from './thread.types';

/** Body of `POST /threads/prune`. */
export class PruneThreadsDto {
  @IsOptional()
  @IsIn(PRUNE_STRATEGIES)
  strategy?: PruneStrategy;

  @IsArray()
  @IsUUID(undefined, { each: true })
  thread_ids!: string[];
}
