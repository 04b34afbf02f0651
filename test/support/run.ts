/**
 * Identity of one test run, and the folder where it records what it made.
 *
 * A run is one vitest main process. Its id is 4 base-36 characters, carried to the test workers in
 * NICSCOPE_TEST_RUN. Everything a run creates is named from it (namespaces `nsc-<id>-…`, links
 * `nsc<id>…`, OVS folders under the run folder), so that the next run can find and remove what a
 * killed run left behind, and nothing else (see sweep.ts).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

export const STATE_ROOT = process.env.NICSCOPE_TEST_STATE ?? '/tmp/nicscope-test-runs';
export const NETNS_PREFIX = 'nsc-';
export const LINK_PREFIX = 'nsc';
/** Run ids are 4 lower-case base-36 characters. */
export const RUN_ID_RE = /^[0-9a-z]{4}$/;

export interface RunOwner {
  pid: number;
  /** Field 22 of /proc/<pid>/stat: guards against a recycled pid. */
  startTime: string;
}

export function procStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm may contain spaces and parentheses: fields start after the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return rest[19];
  } catch {
    return undefined;
  }
}

export function newRunId(): string {
  const n = randomBytes(4).readUInt32LE(0) % 36 ** 4;
  return n.toString(36).padStart(4, '0');
}

export function runDir(id: string): string {
  return join(STATE_ROOT, id);
}

/** Creates the run folder and records the owning process (the vitest main process). */
export function registerRun(id: string, pid = process.pid): string {
  const dir = runDir(id);
  mkdirSync(dir, { recursive: true });
  const owner: RunOwner = { pid, startTime: procStartTime(pid) ?? '' };
  writeFileSync(join(dir, 'owner.json'), JSON.stringify(owner));
  return dir;
}

export function readOwner(id: string): RunOwner | undefined {
  try {
    return JSON.parse(readFileSync(join(runDir(id), 'owner.json'), 'utf8')) as RunOwner;
  } catch {
    return undefined;
  }
}

export function isRunAlive(id: string): boolean {
  const owner = readOwner(id);
  if (!owner) return false;
  const st = procStartTime(owner.pid);
  return st !== undefined && st === owner.startTime;
}

let ownRunId: string | undefined;

/**
 * The current run's id. Inside vitest it comes from global-setup through the environment; a script
 * that uses test/support outside vitest gets a run of its own, owned by its process.
 */
export function currentRunId(): string {
  if (ownRunId) return ownRunId;
  const fromEnv = process.env.NICSCOPE_TEST_RUN;
  if (fromEnv && RUN_ID_RE.test(fromEnv)) {
    ownRunId = fromEnv;
  } else {
    ownRunId = newRunId();
    registerRun(ownRunId);
    process.env.NICSCOPE_TEST_RUN = ownRunId;
  }
  return ownRunId;
}
