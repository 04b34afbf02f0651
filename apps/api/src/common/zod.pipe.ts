/** Validates a query/body with a contracts zod schema at the REST edge; failures are 400 with one reason per issue. */
import { BadRequestException, type PipeTransform } from '@nestjs/common';
import { issueLines } from '@nicscope/contracts';
import { type z } from 'zod';

export class ZodPipe<S extends z.ZodType> implements PipeTransform<unknown, z.output<S>> {
  constructor(private readonly schema: S) {}

  transform(value: unknown): z.output<S> {
    const r = this.schema.safeParse(value ?? {});
    if (!r.success)
      throw new BadRequestException({ statusCode: 400, error: 'Bad Request', reasons: issueLines(r.error) });
    return r.data;
  }
}
