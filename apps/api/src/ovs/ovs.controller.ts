import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { OvsQuerySchema, type OvsQuery } from '@nicscope/contracts';
import { ApiZodQuery } from '../common/api-zod-query.js';
import { ZodPipe } from '../common/zod.pipe.js';
import { OvsService } from './ovs.service.js';

@ApiTags('ovs')
@Controller('api/v1/ovs')
export class OvsController {
  constructor(private readonly ovs: OvsService) {}

  @Get('datapath')
  @ApiZodQuery(OvsQuerySchema)
  @ApiOkResponse({
    description:
      'Datapath hit/miss/lost rates, hit rate and per-tier rates per interval; counter resets are counted and skipped',
  })
  datapath(@Query(new ZodPipe(OvsQuerySchema)) q: OvsQuery): Promise<unknown> {
    return this.ovs.datapath(q);
  }
}
