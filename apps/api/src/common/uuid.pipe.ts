import { Injectable, PipeTransform, UnprocessableEntityException } from '@nestjs/common';
import { isUuid } from './ids';

/** Path ids must be UUIDs; LangGraph servers answer 422 naming the parameter otherwise. */
@Injectable()
export class UuidParamPipe implements PipeTransform<string, string> {
  constructor(private readonly label: string) {}

  transform(value: string): string {
    if (!isUuid(value)) throw new UnprocessableEntityException({ detail: `Invalid ${this.label}: must be a UUID` });
    return value.toLowerCase();
  }
}

export const ThreadIdPipe = new UuidParamPipe('thread ID');
export const RunIdPipe = new UuidParamPipe('run ID');
export const CronIdPipe = new UuidParamPipe('cron ID');
