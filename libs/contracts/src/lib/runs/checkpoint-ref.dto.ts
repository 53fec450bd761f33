import { IsObject, IsOptional, IsString } from 'class-validator';

/** Points at a checkpoint; missing parts default to the thread's latest. */
export class CheckpointRefDto {
  @IsOptional()
  @IsString()
  checkpoint_id?: string;

  @IsOptional()
  @IsObject()
  checkpoint_map?: Record<string, unknown>;

  @IsOptional()
  @IsString()
  checkpoint_ns?: string;

  @IsOptional()
  @IsString()
  thread_id?: string;
}
