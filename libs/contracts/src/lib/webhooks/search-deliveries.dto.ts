import { IsIn, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { IsLimit, IsOffset } from '../common/field.decorator';
import { DELIVERY_STATUSES, type DeliveryStatus } from './webhook.types';

/** Query of the webhook delivery log; every value arrives as text. */
export class SearchDeliveriesDto {
  @IsOptional()
  @IsUUID()
  cron_id?: string;

  /** scheme://host:port of the receiver, as GET /webhooks/endpoints lists it. */
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  endpoint?: string;

  @IsLimit()
  limit?: number;

  @IsOffset()
  offset?: number;

  @IsOptional()
  @IsUUID()
  run_id?: string;

  @IsOptional()
  @IsIn(DELIVERY_STATUSES)
  status?: DeliveryStatus;

  @IsOptional()
  @IsUUID()
  thread_id?: string;
}
