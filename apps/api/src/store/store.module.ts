import { Global, Module } from '@nestjs/common';
import { BaseStore } from '@langchain/langgraph-checkpoint';
import { adapterFor } from '../persistence/database';
import { PostgresStoreRepository } from './postgres-store.repository';
import { RunhookStore } from './runhook-store';
import { SqliteStoreRepository } from './sqlite-store.repository';
import { StoreController } from './store.controller';
import { StoreRepository } from './store.repository';
import { StoreService } from './store.service';
import { StoreAccess } from './store-access';
import { StoreSweeper } from './store-sweeper.service';

/**
 * The Store: `/store` routes, and the same items as a LangGraph `BaseStore` that the graph registry attaches
 * to every graph (global, so graphs/ needs no import of this feature).
 */
@Global()
@Module({
  controllers: [StoreController],
  providers: [
    adapterFor(StoreRepository, SqliteStoreRepository, PostgresStoreRepository),
    StoreService,
    StoreAccess,
    StoreSweeper,
    { provide: BaseStore, inject: [StoreService], useFactory: (service: StoreService) => new RunhookStore(service) },
  ],
  exports: [BaseStore, StoreService],
})
export class StoreModule {}
