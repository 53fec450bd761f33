import { Controller, Get } from '@nestjs/common';

@Controller('ok')
export class HealthController {
  @Get()
  ok(): { ok: true } {
    return { ok: true };
  }
}
