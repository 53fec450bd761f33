import { Global, Module } from '@nestjs/common';
import { AuthService } from './auth.service';

/** Custom auth for every feature: services ask `AuthService.authorize` about the current caller. */
@Global()
@Module({ providers: [AuthService], exports: [AuthService] })
export class AuthModule {}
