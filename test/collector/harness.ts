/** Runs the real collector (`nicscope start --no-api`) inside a test namespace, as a user would run it on a host. */
import { type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { start, waitExit, waitFor } from '../support/exec.js';
import { type Netns } from '../support/netns.js';

export const ROOT = join(__dirname, '..', '..');
export const CLI = join(ROOT, 'dist', 'apps', 'cli', 'src', 'main.js');

export class CollectorProcess {
  readonly logs: Array<Record<string, unknown>> = [];
  stderr = '';

  constructor(readonly child: ChildProcess) {
    let buf = '';
    child.stderr?.on('data', (d: Buffer) => {
      this.stderr += d.toString();
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        try {
          this.logs.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          /* not a log line */
        }
      }
    });
    child.stdout?.resume();
  }

  /** Starts `nicscope start --no-api` in `ns` with these NICSCOPE_* settings. */
  static start(ns: Netns, env: Record<string, string>): CollectorProcess {
    const vars = Object.entries({ NICSCOPE_LOG_FORMAT: 'json', NICSCOPE_LOG_LEVEL: 'debug', ...env }).map(
      ([k, v]) => `${k}=${v}`,
    );
    // The compiled CLI (npm test builds it before the tests run), without bin/nicscope.js's set-up check.
    return new CollectorProcess(ns.spawn(['env', ...vars, process.execPath, CLI, 'start', '--no-api']));
  }

  /**
   * Starts the collector in the test's own (root) namespace. Limit it with NICSCOPE_CAPTURE_INTERFACES
   * to the links the test made; the caller stops it.
   */
  static startHere(env: Record<string, string>): CollectorProcess {
    const full = { ...process.env, NICSCOPE_LOG_FORMAT: 'json', NICSCOPE_LOG_LEVEL: 'debug', ...env };
    return new CollectorProcess(start([process.execPath, CLI, 'start', '--no-api'], { env: full }));
  }

  has(msg: string, pred: (l: Record<string, unknown>) => boolean = () => true): boolean {
    return this.logs.some((l) => l.msg === msg && pred(l));
  }

  async waitLog(
    msg: string,
    pred: (l: Record<string, unknown>) => boolean = () => true,
    timeoutMs = 30_000,
  ): Promise<void> {
    await waitFor(
      () => this.has(msg, pred),
      `collector log "${msg}" (stderr so far:\n${this.stderr.slice(-2000)})`,
      timeoutMs,
      100,
    );
  }

  /** Waits until every named interface is being captured. */
  async waitCapturing(ifaces: readonly string[], timeoutMs = 30_000): Promise<void> {
    for (const i of ifaces) await this.waitLog('capturing', (l) => l.iface === i, timeoutMs);
  }

  /** SIGINT, as Ctrl-C: returns the exit code. */
  async stop(signal: NodeJS.Signals = 'SIGINT'): Promise<number | null> {
    this.child.kill(signal);
    return waitExit(this.child, 60_000);
  }
}
