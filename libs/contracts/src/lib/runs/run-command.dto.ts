import { Allow, IsOptional } from 'class-validator';
import type { RunCommand } from './run.types';

/** Resume an interrupt, update state, or jump to nodes; values are free-form JSON. */
export class RunCommandDto implements RunCommand {
  /** A node name, a list of them, or Send objects `{node, input}`. */
  @IsOptional()
  @Allow()
  goto?: unknown;

  @IsOptional()
  @Allow()
  resume?: unknown;

  /** An object or a list of `[key, value]` pairs. */
  @IsOptional()
  @Allow()
  update?: unknown;
}
