import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

@Controller()
class OkController {
  @Get('ok')
  ok() {
    return { ok: true };
  }
}
@Module({ controllers: [OkController] })
class AppModule {}

async function main() {
  const app = await NestFactory.create(AppModule);
  await app.listen(2024, '127.0.0.1');
}
void main();
