import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthGuard } from './auth.guard.js';
import { AuthService } from './auth.service.js';
import { TokensController } from './tokens.controller.js';

const PROVIDERS = [AuthService, { provide: APP_GUARD, useClass: AuthGuard }];

@Module({ providers: PROVIDERS, controllers: [TokensController], exports: [AuthService] })
export class AuthModule {}
