/**
 * Every error answers `{statusCode, error, reasons[]}`. Express body-parser failures (malformed
 * JSON, too large) become 400/413 with the parser's reason; anything unexpected is a 500 whose
 * details stay in the log, not in the answer.
 */
import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { type Response } from 'express';

const NAMES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  413: 'Payload Too Large',
  429: 'Too Many Requests',
  503: 'Service Unavailable',
};

@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly log = new Logger('api');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    let status = 500;
    let reasons: string[] = ['internal error'];
    if (exception instanceof HttpException) {
      status = exception.getStatus();
      const body = exception.getResponse();
      const b = (typeof body === 'object' && body !== null ? body : {}) as { reasons?: unknown; message?: unknown };
      if (Array.isArray(b.reasons)) {
        reasons = b.reasons.map(String);
      } else if ('message' in b) {
        const m = b.message;
        reasons = Array.isArray(m) ? m.map(String) : [String(m)];
      } else reasons = [typeof body === 'string' ? body : exception.message];
    } else if (
      typeof exception === 'object' &&
      exception !== null &&
      typeof (exception as { status?: unknown }).status === 'number'
    ) {
      // body-parser errors carry status + type (entity.parse.failed, entity.too.large)
      const e = exception as { status: number; message?: string; type?: string };
      status = e.status >= 400 && e.status < 500 ? e.status : 400;
      reasons = [
        `${e.type === 'entity.parse.failed' ? 'malformed JSON body' : (e.type ?? 'bad request')}: ${e.message ?? ''}`,
      ];
    } else {
      this.log.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    }
    if (res.headersSent) return;
    res.status(status).json({ statusCode: status, error: NAMES[status] ?? 'Error', reasons });
  }
}
