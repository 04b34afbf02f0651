/** Running commands for tests: argv arrays only (no shell), with stderr in the error. */
import { execFile, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

export interface ExecResult {
  stdout: string;
  stderr: string;
}

export class CommandError extends Error {
  constructor(
    readonly argv: readonly string[],
    readonly code: number | string | null,
    readonly stdout: string,
    readonly stderr: string,
  ) {
    super(`command failed (${String(code)}): ${argv.join(' ')}\n${stderr.trim()}`);
  }
}

export function run(
  argv: readonly string[],
  opts: { timeoutMs?: number; input?: string | Buffer } = {},
): Promise<ExecResult> {
  const [file, ...args] = argv;
  if (!file) throw new Error('run: empty argv');
  return new Promise((resolve, reject) => {
    const child = execFile(
      file,
      args,
      { timeout: opts.timeoutMs ?? 60_000, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (err) {
          const code = (err as NodeJS.ErrnoException & { code?: number | string }).code ?? null;
          reject(new CommandError(argv, code, stdout, stderr));
        } else resolve({ stdout, stderr });
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

/** Like run() but never throws: returns the exit code. */
export async function tryRun(
  argv: readonly string[],
  opts: { timeoutMs?: number } = {},
): Promise<ExecResult & { code: number }> {
  try {
    const r = await run(argv, opts);
    return { ...r, code: 0 };
  } catch (e) {
    if (e instanceof CommandError)
      return { stdout: e.stdout, stderr: e.stderr, code: typeof e.code === 'number' ? e.code : 1 };
    throw e;
  }
}

export function start(argv: readonly string[], opts: SpawnOptions = {}): ChildProcess {
  const [file, ...args] = argv;
  if (!file) throw new Error('start: empty argv');
  return spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'], ...opts });
}

/** Waits for a child to exit; kills it (SIGKILL) after timeoutMs. */
export function waitExit(child: ChildProcess, timeoutMs = 10_000): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(t);
      resolve(code);
    });
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls `probe` until it returns a truthy value or the time runs out. */
export async function waitFor<T>(
  probe: () => T | Promise<T>,
  what: string,
  timeoutMs = 10_000,
  everyMs = 50,
): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`,
      );
    await sleep(everyMs);
  }
}
