import { Module } from '@nestjs/common';
import { adapterFor } from '../persistence/database';
import { CheckpointMaintenance } from './checkpoint-maintenance';
import { GraphRegistry } from './graph-registry.service';
import { PostgresCheckpointMaintenance } from './postgres-checkpoint-maintenance';
import { SqliteCheckpointMaintenance } from './sqlite-checkpoint-maintenance';
import { TypeSchemaService } from './type-schemas/type-schema.service';

@Module({
  providers: [GraphRegistry, TypeSchemaService, adapterFor(CheckpointMaintenance, SqliteCheckpointMaintenance, PostgresCheckpointMaintenance)],
  exports: [GraphRegistry, TypeSchemaService, CheckpointMaintenance],
})
export class GraphsModule {}
