import { Controller, Get } from '@nestjs/common';
import { openApiDocument } from './routes.js';

const doc = openApiDocument('1.0.0');

@Controller('v1')
export class OpenApiController {
  @Get('openapi.json')
  openapi(): Record<string, unknown> {
    return doc;
  }
}
