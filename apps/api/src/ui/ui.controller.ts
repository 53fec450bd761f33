import { Body, Controller, Get, Headers, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { UiService } from './ui.service';

@ApiTags('ui')
@Controller('ui')
export class UiController {
  constructor(private readonly ui: UiService) {}

  @Post(':name')
  @HttpCode(200)
  async component(@Param('name') name: string, @Body() body: unknown, @Headers('host') host: string | undefined, @Res() response: Response) {
    response.type('text/html').send(await this.ui.snippet(name, body, host));
  }

  @Get(':name/:file')
  async file(@Param('name') name: string, @Param('file') file: string, @Res() response: Response) {
    const asset = await this.ui.asset(name, file);
    response.type(asset.contentType).send(Buffer.from(asset.contents));
  }
}
