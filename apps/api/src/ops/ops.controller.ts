import { Controller, Get, HttpException } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { Public } from '../common/decorators.js';
import { OpsService, type Readiness } from './ops.service.js';

@ApiTags('ops')
@Public()
@Controller()
export class OpsController {
  constructor(private readonly ops: OpsService) {}

  @Get('healthz')
  @ApiOkResponse({ description: 'The process answers' })
  healthz(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('readyz')
  @ApiOkResponse({ description: 'Database reachable and every capture running' })
  @ApiServiceUnavailableResponse({ description: 'Not ready; `reasons` says why' })
  async readyz(): Promise<Readiness> {
    const r = await this.ops.readiness();
    if (!r.ready)
      throw new HttpException(
        { statusCode: 503, error: 'Service Unavailable', reasons: r.reasons, checks: r.checks },
        503,
      );
    return r;
  }
}
