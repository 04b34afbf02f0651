/** Global guard: bearer token → 401, role → 403, per-token rate limit → 429. */
import {
  type CanActivate,
  type ExecutionContext,
  ForbiddenException,
  HttpException,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { type Request, type Response } from 'express';
import { PUBLIC_KEY, ROLES_KEY } from '../common/decorators.js';
import { AuthService } from './auth.service.js';
import { type AuthInfo, type Role } from './token-store.js';

export type AuthedRequest = Request & { auth?: AuthInfo };

@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
  ) {}

  canActivate(ctx: ExecutionContext): boolean {
    if (ctx.getType() !== 'http') return true;
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const req = ctx.switchToHttp().getRequest<AuthedRequest>();
    const token = this.auth.tokenFrom(req);
    const info = this.auth.verify(token);
    if (!info) {
      throw new UnauthorizedException({
        statusCode: 401,
        error: 'Unauthorized',
        reasons: [token ? 'invalid or revoked token' : 'missing token: send Authorization: Bearer <token>'],
      });
    }
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if (roles && !roles.includes(info.role)) {
      throw new ForbiddenException({
        statusCode: 403,
        error: 'Forbidden',
        reasons: [`role ${info.role} may not use this route (needs ${roles.join(' or ')})`],
      });
    }
    const wait = this.auth.limiter.take(info.tokenId);
    if (wait > 0) {
      ctx.switchToHttp().getResponse<Response>().setHeader('Retry-After', String(wait));
      throw new HttpException(
        {
          statusCode: 429,
          error: 'Too Many Requests',
          reasons: [`rate limit of this token exceeded; retry in ${wait} s`],
        },
        429,
      );
    }
    req.auth = info;
    return true;
  }
}
