// Needs root: runs `nicscope capture` inside a network namespace on a veth pair the test creates.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { suiteDir } from '../support/tmp.js';
import { OfflineCapture } from '@nicscope/pcap';
import { Topology, type Netns } from '../support/netns.js';
import { run, tryRun, waitFor } from '../support/exec.js';
import { sendUdp, tsharkSummary } from './support/child.js';

const ROOT = join(__dirname, '..', '..');
const MAIN = join(ROOT, 'dist', 'apps', 'cli', 'src', 'main.js');

describe('nicscope capture', () => {
  const topo = new Topology();
  let a: Netns;
  let b: Netns;
  let dev: string;
  const dir = suiteDir('nicscope-cli');
  const cli = (ns: Netns, ...args: string[]): string[] => [
    'ip',
    'netns',
    'exec',
    ns.name,
    'node',
    MAIN,
    'capture',
    ...args,
  ];

  beforeAll(async () => {
    await run(['node', join(ROOT, 'scripts', 'setup.mjs'), '--for', 'start', '--quiet'], { timeoutMs: 180_000 });
    expect(existsSync(MAIN)).toBe(true);
    [a, b] = [await topo.netns('a'), await topo.netns('b')];
    const [ea, eb] = await topo.veth(a, b);
    dev = ea.name;
    await a.addr(ea.name, '10.200.1.1/24');
    await b.addr(eb.name, '10.200.1.2/24');
    await a.noOffload(ea.name);
    await b.noOffload(eb.name);
    await b.exec(['ping', '-c', '1', '-W', '2', '10.200.1.1']);
  }, 200_000);
  afterAll(() => topo.destroy());

  it('writes COUNT packets to a pcap file that tcpdump and tshark read, then leaves the interface as it was', async () => {
    const file = join(dir, 'count.pcap');
    const before = await a.promiscuity(dev);
    const proc = a.spawn(cli(a, '-i', dev, '-f', 'udp', '-c', '100', '-w', file));
    let stderr = '';
    proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    await waitFor(() => stderr.includes('capturing on'), 'capture started', 20_000);
    expect(await a.promiscuity(dev)).toBe(before + 1);
    await sendUdp(b, '10.200.1.1', 300);
    const code = await new Promise<number | null>((r) => proc.once('exit', r));
    expect(code).toBe(0);
    expect(stderr).toMatch(new RegExp(`${dev}: 100 packets captured`));
    expect(await a.promiscuity(dev)).toBe(before);
    const td = await run(['tcpdump', '-r', file, '-n']);
    expect(td.stdout.trim().split('\n')).toHaveLength(100);
    expect((await tsharkSummary(file)).packets).toBe(100);
    const cap = OfflineCapture.open(file);
    expect(cap.readBatch(1000)!.count).toBe(100);
    cap.close();
  });

  it('prints one line per frame without -w and stops cleanly on SIGINT', async () => {
    const proc = a.spawn(cli(a, '-i', dev, '-f', 'udp', '-q'));
    let stdout = '';
    let stderr = '';
    proc.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    await waitFor(() => stderr.includes('capturing on'), 'capture started', 20_000);
    await sendUdp(b, '10.200.1.1', 5, { minSize: 100, maxSize: 100 });
    await waitFor(() => stdout.split('\n').filter(Boolean).length >= 5, 'five lines', 5000);
    proc.kill('SIGINT');
    const code = await new Promise<number | null>((r) => proc.once('exit', r));
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(new RegExp(`^\\d\\d:\\d\\d:\\d\\d\\.\\d{9} ${dev} length 142$`));
  });

  it('exits 2 naming an unknown interface or a bad filter, and 2 for a bad count', async () => {
    const r1 = await tryRun(cli(a, '-i', 'nscnosuch0', '-w', join(dir, 'x.pcap')));
    expect(r1.code).toBe(2);
    expect(r1.stderr).toMatch(/no such interface "nscnosuch0"/);
    const r2 = await tryRun(cli(a, '-i', dev, '-f', 'udp port'));
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/bad filter "udp port": can't parse filter expression: syntax error/);
    const r3 = await tryRun(cli(a, '-i', dev, '-c', 'many'));
    expect(r3.code).toBe(2);
    expect(r3.stderr).toMatch(/-c\/--count "many": expected a positive integer/);
    expect(await a.promiscuity(dev)).toBe(0);
  });
});
