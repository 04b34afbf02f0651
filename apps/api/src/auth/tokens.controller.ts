import { Body, Controller, Delete, Get, HttpCode, NotFoundException, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CreateTokenSchema, type CreateToken } from '@nicscope/contracts';
import { z } from 'zod';
import { Roles } from '../common/decorators.js';
import { ZodPipe } from '../common/zod.pipe.js';
import { AuthService } from './auth.service.js';

@ApiTags('tokens')
@ApiBearerAuth()
@Roles('admin')
@Controller('api/v1/tokens')
export class TokensController {
  constructor(private readonly auth: AuthService) {}

  @Get()
  @ApiOkResponse({ description: 'Tokens (id, name, role, creation time; never the hash)' })
  list(): Array<{ id: string; name: string; role: string; createdAt: string }> {
    return this.auth.store.list().map(({ id, name, role, createdAt }) => ({ id, name, role, createdAt }));
  }

  @Post()
  @ApiBody({
    schema: {
      type: 'object',
      required: ['name', 'role'],
      properties: { name: { type: 'string' }, role: { type: 'string', enum: ['viewer', 'admin'] } },
    },
  })
  @ApiOkResponse({ description: 'The new token, in clear, shown only this once' })
  create(@Body(new ZodPipe(CreateTokenSchema)) body: CreateToken): { id: string; token: string; role: string } {
    const { id, token } = this.auth.create(body.name, body.role);
    return { id, token, role: body.role };
  }

  @Delete(':id')
  @HttpCode(204)
  revoke(@Param('id', new ZodPipe(z.string().regex(/^[0-9a-f]{8}$/, 'a token id: 8 hex digits'))) id: string): void {
    if (!this.auth.store.revoke(id))
      throw new NotFoundException({ statusCode: 404, error: 'Not Found', reasons: [`no token ${id}`] });
  }
}
