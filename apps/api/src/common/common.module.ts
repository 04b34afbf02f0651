import { Module } from '@nestjs/common';
import { LimitsService } from './limits.service.js';

const PROVIDERS = [LimitsService];

@Module({ providers: PROVIDERS, exports: [LimitsService] })
export class CommonModule {}
