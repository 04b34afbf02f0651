/**
 * Test helpers for capture: a capture child process (capture-child.ts, transpiled on the fly so
 * the tests do not depend on a full `nest build` of the monorepo), tcpdump as the reference
 * capture, and reading pcap files back (with libs/pcap and with tshark).
 */
import { type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { OfflineCapture, RECORD_HEADER } from '@nicscope/pcap';
import { run } from '../../support/exec.js';
import type { Netns } from '../../support/netns.js';

const ROOT = join(__dirname, '..', '..', '..');

let built: string | undefined;

/** Transpiles libs/pcap/src and capture-child.ts into node_modules/.cache (CommonJS); returns the child's path. */
export function buildCaptureChild(): string {
  if (built) return built;
  const out = join(ROOT, 'node_modules', '.cache', 'nicscope-capture-child', String(process.pid));
  mkdirSync(join(out, 'pcap'), { recursive: true });
  const compile = (src: string, dst: string, rewrite?: (s: string) => string): void => {
    let text = readFileSync(src, 'utf8');
    if (rewrite) text = rewrite(text);
    const js = ts.transpileModule(text, {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    }).outputText;
    writeFileSync(dst, js);
  };
  const libDir = join(ROOT, 'libs', 'pcap', 'src');
  for (const f of readdirSync(libDir)) {
    if (f.endsWith('.ts') && !f.endsWith('.spec.ts'))
      compile(join(libDir, f), join(out, 'pcap', f.replace(/\.ts$/, '.js')));
  }
  compile(join(__dirname, 'capture-child.ts'), join(out, 'capture-child.js'), (s) =>
    s.replace("'@nicscope/pcap'", "'./pcap/index.js'"),
  );
  built = join(out, 'capture-child.js');
  return built;
}

export interface ChildInterfaceResult {
  device: string;
  linkType: number;
  packets: number;
  bytes: number;
  backwards: number;
  first: [number, number];
  last: [number, number];
  batches: number;
  error?: string;
  stats?: { recv: number; drop: number; ifdrop: number };
}

function lines(proc: ChildProcess, onLine: (l: string) => void): void {
  let buf = '';
  proc.stdout?.on('data', (d: Buffer) => {
    buf += d.toString();
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      onLine(buf.slice(0, i));
      buf = buf.slice(i + 1);
    }
  });
}

/** A capture running in its own process inside `ns`. */
export class CaptureChild {
  readonly proc: ChildProcess;
  private readonly events: Array<Record<string, unknown>> = [];
  private waiters: Array<() => void> = [];
  stderr = '';

  constructor(ns: Netns, opts: Record<string, unknown>) {
    this.proc = ns.spawn(['node', buildCaptureChild(), JSON.stringify(opts)]);
    lines(this.proc, (l) => {
      try {
        this.events.push(JSON.parse(l) as Record<string, unknown>);
      } catch {
        /* not ours */
      }
      for (const w of this.waiters.splice(0)) w();
    });
    this.proc.stderr?.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.proc.once('exit', () => {
      for (const w of this.waiters.splice(0)) w();
    });
  }

  async waitEvent(name: string, timeoutMs = 10_000): Promise<Record<string, unknown>> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const e = this.events.find((x) => x.event === name);
      if (e) return e;
      if (this.proc.exitCode !== null || this.proc.signalCode !== null) {
        throw new Error(
          `capture child exited (${String(this.proc.exitCode ?? this.proc.signalCode)}) before "${name}": ${this.stderr}`,
        );
      }
      if (Date.now() > end) throw new Error(`capture child: no "${name}" after ${timeoutMs} ms: ${this.stderr}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, 200);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  ready(): Promise<Record<string, unknown>> {
    return this.waitEvent('ready');
  }

  /** SIGTERM, then the final counters. */
  async stop(): Promise<ChildInterfaceResult[]> {
    this.proc.kill('SIGTERM');
    return this.done();
  }

  async done(timeoutMs = 15_000): Promise<ChildInterfaceResult[]> {
    const e = await this.waitEvent('done', timeoutMs);
    this.cpuUs = e.cpuUs as number;
    return e.interfaces as ChildInterfaceResult[];
  }

  /** CPU time (user + system, µs) the child used between ready and done. */
  cpuUs = 0;
}

/** tcpdump as the reference capture (-B 16384 -s 2048, as tests here need to get zero drops). */
export class Tcpdump {
  readonly proc: ChildProcess;
  stderr = '';

  constructor(
    ns: Netns,
    dev: string,
    readonly file: string,
    filter: string[] = [],
    extra: string[] = [],
  ) {
    this.proc = ns.spawn(['tcpdump', '-i', dev, '-B', '16384', '-s', '2048', '-n', '-w', file, ...extra, ...filter]);
    this.proc.stderr?.on('data', (d: Buffer) => (this.stderr += d.toString()));
  }

  async ready(timeoutMs = 10_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!this.stderr.includes('listening on')) {
      if (this.proc.exitCode !== null) throw new Error(`tcpdump exited: ${this.stderr}`);
      if (Date.now() > end) throw new Error(`tcpdump not listening after ${timeoutMs} ms: ${this.stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** SIGINT; returns tcpdump's own counters. */
  async stop(): Promise<{ captured: number; received: number; dropped: number }> {
    this.proc.kill('SIGINT');
    await new Promise<void>((r) => (this.proc.exitCode !== null ? r() : this.proc.once('exit', () => r())));
    const num = (re: RegExp): number => Number(re.exec(this.stderr)?.[1] ?? NaN);
    return {
      captured: num(/(\d+) packets? captured/),
      received: num(/(\d+) packets? received by filter/),
      dropped: num(/(\d+) packets? dropped by kernel/),
    };
  }
}

export interface FileSummary {
  linkType: number;
  packets: number;
  bytes: number;
  /** One entry per packet: wire length and a hash of the captured bytes. */
  frames: string[];
}

/** Reads a pcap file with libs/pcap: count, wire bytes and per-frame fingerprints (first `snap` bytes). */
export function summarizeFile(path: string, snap = 2048): FileSummary {
  const cap = OfflineCapture.open(path);
  const frames: string[] = [];
  let bytes = 0;
  for (let b = cap.readBatch(); b; b = cap.readBatch()) {
    for (let i = 0, off = 0; i < b.count; i++) {
      const caplen = b.view.getUint32(off + 8, true);
      const wirelen = b.view.getUint32(off + 12, true);
      bytes += wirelen;
      const data = b.buf.subarray(off + RECORD_HEADER, off + RECORD_HEADER + Math.min(caplen, snap));
      frames.push(`${wirelen}:${createHash('sha1').update(data).digest('hex').slice(0, 12)}`);
      off += RECORD_HEADER + ((caplen + 3) & ~3);
    }
  }
  const linkType = cap.linkType;
  if (cap.truncatedError) throw new Error(cap.truncatedError);
  cap.close();
  return { linkType, packets: frames.length, bytes, frames };
}

/** What tshark reads from a file: packet count and the sum of frame lengths. */
export async function tsharkSummary(path: string): Promise<{ packets: number; bytes: number; lens: number[] }> {
  const { stdout } = await run(['tshark', '-r', path, '-T', 'fields', '-e', 'frame.len'], { timeoutMs: 60_000 });
  const lens = stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map(Number);
  return { packets: lens.length, bytes: lens.reduce((a, b) => a + b, 0), lens };
}

/** Sends `n` UDP datagrams of varied sizes from inside `ns` to dst:port (bounded, test addresses only). */
export async function sendUdp(
  ns: Netns,
  dst: string,
  n: number,
  opts: { port?: number; minSize?: number; maxSize?: number; rateHint?: number } = {},
): Promise<void> {
  const port = opts.port ?? 9999;
  const lo = opts.minSize ?? 20;
  const hi = opts.maxSize ?? 1200;
  const py = [
    'import socket,sys,time',
    `n,dst,port,lo,hi=${n},'${dst}',${port},${lo},${hi}`,
    `fam = socket.AF_INET6 if ':' in dst else socket.AF_INET`,
    's=socket.socket(fam,socket.SOCK_DGRAM)',
    'for i in range(n):',
    '  sz = lo + (i*37) % (hi-lo+1)',
    '  try: s.sendto(bytes([i%256])*sz,(dst,port))',
    '  except OSError: time.sleep(0.001)',
    ...(opts.rateHint ? [`  if i % 100 == 99: time.sleep(${100 / opts.rateHint})`] : []),
  ].join('\n');
  await ns.exec(['python3', '-c', py], { timeoutMs: 120_000 });
}

/** An IPv4/UDP packet (header checksum set, UDP checksum 0) with `payload` bytes. */
export function ipv4Udp(src: string, dst: string, sport: number, dport: number, payload: number): Buffer {
  const b = Buffer.alloc(28 + payload);
  b[0] = 0x45;
  b.writeUInt16BE(28 + payload, 2);
  b[8] = 64;
  b[9] = 17;
  Buffer.from(src.split('.').map(Number)).copy(b, 12);
  Buffer.from(dst.split('.').map(Number)).copy(b, 16);
  let sum = 0;
  for (let i = 0; i < 20; i += 2) sum += b.readUInt16BE(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  b.writeUInt16BE(~sum & 0xffff, 10);
  b.writeUInt16BE(sport, 20);
  b.writeUInt16BE(dport, 22);
  b.writeUInt16BE(8 + payload, 24);
  for (let i = 0; i < payload; i++) b[28 + i] = i & 0xff;
  return b;
}

/** The kernel's receive counter of a device (frames a tap/tun holder wrote count as received). */
export async function rxPackets(ns: Netns, dev: string): Promise<number> {
  const { stdout } = await ns.ip('-s', '-j', 'link', 'show', 'dev', dev);
  return (JSON.parse(stdout) as Array<{ stats64: { rx: { packets: number } } }>)[0]!.stats64.rx.packets;
}
