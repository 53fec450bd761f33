import { IsNotEmpty, IsOptional, IsString } from 'class-validator';
import { CronScheduleFieldsDto } from './cron-payload.dto';

/** Body of `POST /runs/crons` (stateless: a new thread per firing). */
export class CreateCronDto extends CronScheduleFieldsDto {
  /** An assistant uuid or a graph id. */
  @IsString()
  @IsNotEmpty()
  assistant_id!: string;

  /** Cron expression: 5 fields `min hour dom mon dow`; the server checks it. */
  @IsString()
  @IsNotEmpty()
  schedule!: string;
}

/** Body of `POST /threads/{thread_id}/runs/crons`; every firing runs on that thread. */
export class CreateThreadCronDto extends CreateCronDto {}

/** Body of `PATCH /runs/crons/{cron_id}`: every field optional, the server rejects an empty body. */
export class UpdateCronDto extends CronScheduleFieldsDto {
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  schedule?: string;
}
