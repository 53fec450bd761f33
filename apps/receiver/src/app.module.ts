import { DynamicModule, Module } from '@nestjs/common';
import { RouterModule } from '@nestjs/core';
import { ConfigModule } from './config/config.module';
import { ReceiverConfig } from './config/receiver-config';
import { DeliveriesModule } from './deliveries/deliveries.module';
import { WebhookIntakeModule } from './deliveries/webhook-intake.module';
import { HealthModule } from './health/health.module';

@Module({})
export class AppModule {
  static forRoot(config: ReceiverConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        HealthModule,
        DeliveriesModule,
        WebhookIntakeModule,
        RouterModule.register([{ path: config.webhookPath, module: WebhookIntakeModule }]),
      ],
    };
  }
}
