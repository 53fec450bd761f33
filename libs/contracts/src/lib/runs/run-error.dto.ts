import { IsString } from 'class-validator';
import type { RunError } from './run.types';

export class RunErrorDto implements RunError {
  /** Exception class name, e.g. `ValueError`. */
  @IsString()
  error!: string;

  @IsString()
  message!: string;
}
