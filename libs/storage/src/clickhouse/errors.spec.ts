import { describe, expect, it } from 'vitest';
import { ClickHouseError } from '@clickhouse/client';
import { classify, StorageError } from './errors.js';

const T = 'ClickHouse at http://db:8123';

describe(classify.name, () => {
  it('names wrong credentials (code 516) and what to check', () => {
    const e = classify(
      new ClickHouseError({ message: 'x: Authentication failed', code: '516', type: 'AUTHENTICATION_FAILED' }),
      T,
      'pinging',
    );
    expect(e.kind).toBe('auth');
    expect(e.message).toBe(
      'ClickHouse at http://db:8123 refused the credentials: wrong user or password (ClickHouse code 516, AUTHENTICATION_FAILED); check clickhouse.user / clickhouse.password',
    );
  });

  it('treats refused and reset connections as unreachable and retryable', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8123'), { code: 'ECONNREFUSED' });
    expect(classify(refused, T, 'inserting')).toMatchObject({ kind: 'unreachable', retryable: true });
    expect(classify(new Error('socket hang up'), T, 'inserting')).toMatchObject({
      kind: 'unreachable',
      retryable: true,
    });
    expect(classify(new Error('Timeout error.'), T, 'inserting')).toMatchObject({ kind: 'timeout', retryable: true });
  });

  it('marks data and statement errors as not retryable, other server errors as retryable', () => {
    const parse = new ClickHouseError({
      message: 'Cannot parse input',
      code: '27',
      type: 'CANNOT_PARSE_INPUT_ASSERTION_FAILED',
    });
    expect(classify(parse, T, 'inserting')).toMatchObject({ kind: 'rejected', retryable: false, chCode: '27' });
    const mem = new ClickHouseError({ message: 'Memory limit exceeded', code: '241', type: 'MEMORY_LIMIT_EXCEEDED' });
    expect(classify(mem, T, 'inserting')).toMatchObject({ kind: 'server', retryable: true });
  });

  it('keeps a StorageError as it is', () => {
    const e = new StorageError('config', 'bad', false);
    expect(classify(e, T, 'x')).toBe(e);
  });
});
