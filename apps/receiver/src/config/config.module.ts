import { DynamicModule, Global, Module } from '@nestjs/common';
import { ReceiverConfig } from './receiver-config';

@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: ReceiverConfig): DynamicModule {
    return { module: ConfigModule, providers: [{ provide: ReceiverConfig, useValue: config }], exports: [ReceiverConfig] };
  }
}
