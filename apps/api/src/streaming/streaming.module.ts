import { Module } from '@nestjs/common';
import { Clock } from '../common/clock';
import { RunSignals } from '../common/run-signals';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { InProcessStreamBroker } from './in-process-stream-broker';
import { IpcStreamBroker } from './ipc-stream-broker';
import { OpenStreams } from './open-streams';
import { StreamBroker } from './stream-broker';

@Module({
  providers: [
    OpenStreams,
    {
      provide: StreamBroker,
      inject: [APP_CONFIG, RunSignals, Clock],
      useFactory: (config: AppConfig, signals: RunSignals, clock: Clock): StreamBroker =>
        config.worker.isForkedWorker ? new IpcStreamBroker() : new InProcessStreamBroker(signals, clock),
    },
  ],
  exports: [StreamBroker, OpenStreams],
})
export class StreamingModule {}
