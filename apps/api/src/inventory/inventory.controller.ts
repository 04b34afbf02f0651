import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { InventoryService } from './inventory.service.js';

@ApiTags('inventory')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'No or invalid token' })
@Controller('api/v1')
export class InventoryController {
  constructor(private readonly inventory: InventoryService) {}

  @Get('interfaces')
  @ApiOkResponse({ description: 'The latest inventory row of every interface of every collector' })
  interfaces(): Promise<unknown> {
    return this.inventory.interfaces();
  }

  @Get('topology')
  @ApiOkResponse({
    description: 'Per host: Linux and OVS bridges → ports (veth peers, taps, VMs), and interfaces on no bridge',
  })
  topology(): Promise<unknown> {
    return this.inventory.topology();
  }
}
