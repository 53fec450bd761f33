import { Module } from '@nestjs/common';
import { InProcessStreamBroker } from './in-process-stream-broker';
import { StreamBroker } from './stream-broker';

@Module({ providers: [{ provide: StreamBroker, useClass: InProcessStreamBroker }], exports: [StreamBroker] })
export class StreamingModule {}
