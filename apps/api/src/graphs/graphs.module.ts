import { Module } from '@nestjs/common';
import { adapterFor } from '../persistence/database';
import { CheckpointMaintenance } from './checkpoint-maintenance';
import { GraphRegistry } from './graph-registry.service';
import { PostgresCheckpointMaintenance } from './postgres-checkpoint-maintenance';
import { SqliteCheckpointMaintenance } from './sqlite-checkpoint-maintenance';

@Module({
  providers: [GraphRegistry, adapterFor(CheckpointMaintenance, SqliteCheckpointMaintenance, PostgresCheckpointMaintenance)],
  exports: [GraphRegistry, CheckpointMaintenance],
})
export class GraphsModule {}
