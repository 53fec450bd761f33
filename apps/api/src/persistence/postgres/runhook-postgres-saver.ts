import type { RunnableConfig } from '@langchain/core/runnables';
import type { ChannelVersions, Checkpoint, CheckpointMetadata } from '@langchain/langgraph-checkpoint';
import { PostgresSaver } from '@langchain/langgraph-checkpoint-postgres';
import { checkpointMetadataFor } from '../checkpoint-metadata';

/** The official PostgreSQL saver, storing checkpoint metadata as LangGraph servers do. */
export class RunhookPostgresSaver extends PostgresSaver {
  override async put(config: RunnableConfig, checkpoint: Checkpoint, metadata: CheckpointMetadata, newVersions: ChannelVersions): Promise<RunnableConfig> {
    return super.put(config, checkpoint, checkpointMetadataFor(config, metadata), newVersions);
  }
}
