// Needs root: a child test run makes namespaces, links and OVS daemons, is killed with SIGKILL, and
// the sweep that starts every run removes all of it, and nothing of the live run.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sweepDeadRuns } from '../support/sweep.js';
import { tryRun, waitFor } from '../support/exec.js';
import { Topology } from '../support/netns.js';
import { currentRunId } from '../support/run.js';

const ROOT = join(__dirname, '..', '..');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe(sweepDeadRuns.name, () => {
  const topo = new Topology();
  afterAll(() => topo.destroy());

  it('removes every namespace, link and OVS daemon of a run killed with SIGKILL, and keeps the live run', async () => {
    const mine = await topo.netns('keep');
    const out = join(tmpdir(), `nicscope-leaky-${process.pid}.json`);
    rmSync(out, { force: true });
    const env: NodeJS.ProcessEnv = { ...process.env, LEAKY_OUT: out };
    delete env.NICSCOPE_TEST_RUN; // the child is a run of its own
    const child = spawn(
      process.execPath,
      [join(ROOT, 'node_modules/vitest/vitest.mjs'), 'run', '-c', 'test/foundation/fixtures/vitest.leaky.config.mts'],
      { cwd: ROOT, env, detached: true, stdio: 'ignore' },
    );
    await waitFor(() => existsSync(out), 'the leaky run to make its resources', 90_000, 200);
    const made = JSON.parse(readFileSync(out, 'utf8')) as {
      runId: string;
      namespaces: string[];
      links: string[];
      tap: string;
      pids: number[];
    };
    expect(made.runId).not.toBe(currentRunId());
    process.kill(-child.pid!, 'SIGKILL');
    await new Promise((r) => child.once('exit', r));

    // Still there after the kill: this is what the next run must clean.
    const before = await tryRun(['ip', 'netns', 'list']);
    expect(before.stdout).toContain(made.namespaces[0]);
    expect(made.pids.filter(alive).length).toBeGreaterThan(0);

    const report = await sweepDeadRuns();
    expect(report.runs).toContain(made.runId);

    const nsAfter = (await tryRun(['ip', 'netns', 'list'])).stdout;
    for (const n of made.namespaces) expect(nsAfter).not.toContain(n);
    expect(nsAfter).toContain(mine.name);
    for (const l of made.links) expect((await tryRun(['ip', 'link', 'show', l])).code).not.toBe(0);
    await waitFor(() => made.pids.every((p) => !alive(p)), 'the leaked processes to be gone', 5000);
    rmSync(out, { force: true });
  }, 180_000);
});
