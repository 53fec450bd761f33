import { Module } from '@nestjs/common';
import { GraphRegistry } from './graph-registry.service';

@Module({ providers: [GraphRegistry], exports: [GraphRegistry] })
export class GraphsModule {}
