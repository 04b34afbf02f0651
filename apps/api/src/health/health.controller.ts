import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { HealthQuerySchema, type HealthQuery } from '@nicscope/contracts';
import { ApiZodQuery } from '../common/api-zod-query.js';
import { ZodPipe } from '../common/zod.pipe.js';
import { HealthService } from './health.service.js';

@ApiTags('health')
@Controller('api/v1')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get('capture/health')
  @ApiZodQuery(HealthQuerySchema)
  @ApiOkResponse({ description: 'Capture counters and loss accounting per interface (stored), and the live snapshot' })
  capture(@Query(new ZodPipe(HealthQuerySchema)) q: HealthQuery): Promise<unknown> {
    return this.health.capture(q);
  }

  @Get('collectors')
  @ApiBearerAuth()
  @ApiOkResponse({ description: 'Every collector that reported health, with its last figures' })
  collectors(): Promise<unknown> {
    return this.health.collectors();
  }
}
