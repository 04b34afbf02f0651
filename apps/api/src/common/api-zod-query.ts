/** OpenAPI parameters from a contracts zod object schema, so the document and the validation never disagree. */
import { applyDecorators } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiQuery,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { z } from 'zod';

export function ApiZodQuery(schema: z.ZodObject): MethodDecorator {
  const decorators: MethodDecorator[] = [];
  for (const [name, field] of Object.entries(schema.shape)) {
    const f = field as z.ZodType;
    const json = z.toJSONSchema(f, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
    delete json.$schema;
    const required = !f.safeParse(undefined).success;
    decorators.push(
      ApiQuery({
        name,
        required,
        schema: json as never,
        description: typeof json.description === 'string' ? json.description : undefined,
      }),
    );
  }
  return applyDecorators(
    ...decorators,
    ApiBearerAuth(),
    ApiBadRequestResponse({ description: 'A parameter is invalid or beyond a limit; `reasons` lists each problem' }),
    ApiUnauthorizedResponse({ description: 'No or invalid token' }),
    ApiTooManyRequestsResponse({ description: 'Rate limit of this token exceeded' }),
  );
}
