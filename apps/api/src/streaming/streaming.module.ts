import { Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { InProcessStreamBroker } from './in-process-stream-broker';
import { IpcStreamBroker } from './ipc-stream-broker';
import { StreamBroker } from './stream-broker';

@Module({
  providers: [
    {
      provide: StreamBroker,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig): StreamBroker =>
        config.worker.isForkedWorker ? new IpcStreamBroker() : new InProcessStreamBroker(),
    },
  ],
  exports: [StreamBroker],
})
export class StreamingModule {}
