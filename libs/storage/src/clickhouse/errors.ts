/**
 * One error type for everything the database says or does not say, with a sentence a person can
 * act on and whether the same request may succeed later unchanged (`retryable`).
 */
export type StorageErrorKind = 'auth' | 'unreachable' | 'timeout' | 'server' | 'rejected' | 'config';

/** ClickHouse error codes meaning "this data or statement is wrong": retrying it cannot help. */
const REJECTED_CODES = new Set([
  '6', // CANNOT_PARSE_TEXT
  '16', // NO_SUCH_COLUMN_IN_TABLE
  '26', // CANNOT_PARSE_QUOTED_STRING
  '27', // CANNOT_PARSE_INPUT_ASSERTION_FAILED
  '33', // CANNOT_READ_ALL_DATA
  '36', // BAD_ARGUMENTS
  '38', // CANNOT_PARSE_DATE
  '41', // CANNOT_PARSE_DATETIME
  '47', // UNKNOWN_IDENTIFIER
  '53', // TYPE_MISMATCH
  '60', // UNKNOWN_TABLE
  '62', // SYNTAX_ERROR
  '69', // ARGUMENT_OUT_OF_BOUND
  '72', // CANNOT_PARSE_NUMBER
  '81', // UNKNOWN_DATABASE
  '117', // INCORRECT_DATA
]);

const NET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNABORTED',
]);

export class StorageError extends Error {
  constructor(
    readonly kind: StorageErrorKind,
    message: string,
    readonly retryable: boolean,
    readonly chCode?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StorageError';
  }
}

/** Turns whatever a client call threw into a StorageError that names the target. */
export function classify(err: unknown, target: string, what: string): StorageError {
  if (err instanceof StorageError) return err;
  const e = err as { code?: unknown; type?: unknown; message?: unknown } | undefined;
  const code = typeof e?.code === 'string' || typeof e?.code === 'number' ? String(e.code) : undefined;
  const msg = typeof e?.message === 'string' ? e.message : String(err);
  const first = msg.split('\n')[0]!.slice(0, 500);
  if (code === '516' || /AUTHENTICATION_FAILED|Authentication failed/i.test(msg)) {
    return new StorageError(
      'auth',
      `${target} refused the credentials: wrong user or password (ClickHouse code 516, AUTHENTICATION_FAILED); check clickhouse.user / clickhouse.password`,
      true,
      '516',
      { cause: err },
    );
  }
  if ((code && NET_CODES.has(code)) || /ECONNREFUSED|ECONNRESET|socket hang up|EPIPE|other side closed/i.test(msg)) {
    return new StorageError('unreachable', `${target} is unreachable while ${what}: ${first}`, true, code, {
      cause: err,
    });
  }
  if (/timeout/i.test(msg) || code === 'ETIMEDOUT') {
    return new StorageError('timeout', `${target} timed out while ${what}: ${first}`, true, code, { cause: err });
  }
  if (code && REJECTED_CODES.has(code)) {
    return new StorageError('rejected', `${target} rejected ${what}: ${first}`, false, code, { cause: err });
  }
  return new StorageError('server', `${target} failed while ${what}: ${first}`, true, code, { cause: err });
}
