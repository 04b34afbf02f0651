/** Limits of one REST query: the longest time range and the most rows (config api.*), checked → 400 with the reason. */
import { BadRequestException, Inject, Injectable } from '@nestjs/common';
import { type NicscopeConfig } from '@nicscope/config';
import { API_CONFIG } from '../api.options.js';
import { type Range } from '../storage/queries.js';

function bad(reason: string): BadRequestException {
  return new BadRequestException({ statusCode: 400, error: 'Bad Request', reasons: [reason] });
}

@Injectable()
export class LimitsService {
  constructor(@Inject(API_CONFIG) private readonly config: NicscopeConfig) {}

  get maxRows(): number {
    return this.config.api.maxRows;
  }

  range(q: { from: number; to?: number }, now = Date.now()): Range {
    const toMs = q.to ?? now;
    if (q.from >= toMs)
      throw bad(`from (${new Date(q.from).toISOString()}) must be before to (${new Date(toMs).toISOString()})`);
    const maxMs = this.config.api.maxRangeDays * 86_400_000;
    if (toMs - q.from > maxMs) {
      throw bad(
        `time range of ${((toMs - q.from) / 86_400_000).toFixed(1)} days exceeds the limit of ${this.config.api.maxRangeDays} days (api.maxRangeDays)`,
      );
    }
    return { fromMs: q.from, toMs };
  }

  rows(requested: number | undefined, name = 'limit', dflt = 100): number {
    const n = requested ?? Math.min(dflt, this.config.api.maxRows);
    if (n > this.config.api.maxRows)
      throw bad(`${name}=${n} exceeds the limit of ${this.config.api.maxRows} rows (api.maxRows)`);
    return n;
  }
}
