import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import {
  FlowsQuerySchema,
  SeriesQuerySchema,
  TopQuerySchema,
  type FlowsQuery,
  type SeriesQuery,
  type TopQuery,
} from '@nicscope/contracts';
import { z } from 'zod';
import { ApiZodQuery } from '../common/api-zod-query.js';
import { ZodPipe } from '../common/zod.pipe.js';
import { type TopKind } from '../storage/queries.js';
import { FlowsService } from './flows.service.js';

const TopKindSchema = z.enum(['talkers', 'conversations', 'protocols'], {
  error: 'one of talkers, conversations, protocols',
});

@ApiTags('flows')
@Controller('api/v1')
export class FlowsController {
  constructor(private readonly flows: FlowsService) {}

  @Get('flows')
  @ApiZodQuery(FlowsQuerySchema)
  @ApiOkResponse({ description: 'Flow records (interim and final) in the range, newest first, paged by limit/offset' })
  list(@Query(new ZodPipe(FlowsQuerySchema)) q: FlowsQuery): Promise<unknown> {
    return this.flows.flows(q);
  }

  @Get('top/:kind')
  @ApiParam({ name: 'kind', enum: ['talkers', 'conversations', 'protocols'] })
  @ApiZodQuery(TopQuerySchema)
  @ApiOkResponse({ description: 'Top N by bytes or packets over the range' })
  top(
    @Param('kind', new ZodPipe(TopKindSchema)) kind: TopKind,
    @Query(new ZodPipe(TopQuerySchema)) q: TopQuery,
  ): Promise<unknown> {
    return this.flows.top(kind, q);
  }

  @Get('series')
  @ApiZodQuery(SeriesQuerySchema)
  @ApiOkResponse({ description: 'Bytes, packets and flows per interface per step, from the 1-minute rollup' })
  series(@Query(new ZodPipe(SeriesQuerySchema)) q: SeriesQuery): Promise<unknown> {
    return this.flows.series(q);
  }
}
