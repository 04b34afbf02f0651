// Needs root: creates network namespaces, a veth pair and kernel VXLAN links, runs tcpdump, tshark and
// python traffic generators inside them, and sends crafted VLAN/QinQ/GRE/Geneve frames with AF_PACKET.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ChildProcess } from 'node:child_process';
import { Topology, type Netns } from '../support/netns.js';
import { run, sleep, waitExit, waitFor } from '../support/exec.js';
import { type FlowJson } from '@nicscope/flow';
import { RxClass } from '@nicscope/packet';
import { replayFile, type ReplayResult } from '../../apps/cli/src/commands/replay.command.js';
import * as B from '../../libs/packet/test/build.js';
import { flowsToConvs, tsharkConv, tsharkFieldConvs, type Conv } from './tshark.js';

const PY_TCP_SERVER = `
import socket, sys
fam = socket.AF_INET6 if ':' in sys.argv[1] else socket.AF_INET
s = socket.socket(fam, socket.SOCK_STREAM); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2]))); s.listen(4); print('ready', flush=True)
for _ in range(int(sys.argv[3])):
    c, _ = s.accept(); n = 0
    while True:
        d = c.recv(65536)
        if not d: break
        n += len(d)
    c.sendall(b'r' * 20000); c.close()
`;
const PY_TCP_CLIENT = `
import socket, sys
fam = socket.AF_INET6 if ':' in sys.argv[1] else socket.AF_INET
c = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=10)
c.sendall(b'q' * int(sys.argv[3])); c.shutdown(socket.SHUT_WR)
n = 0
while True:
    d = c.recv(65536)
    if not d: break
    n += len(d)
c.close(); print(n)
`;
const PY_UDP_ECHO = `
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind((sys.argv[1], int(sys.argv[2]))); print('ready', flush=True)
for i in range(int(sys.argv[3])):
    d, a = s.recvfrom(2048)
    if i % 2 == 0: s.sendto(d[:100], a)
`;
const PY_UDP_SEND = `
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(sys.argv[4]))
for i in range(int(sys.argv[3])):
    s.sendto(b'u' * (200 + i), (sys.argv[1], int(sys.argv[2]))); time.sleep(0.01)
`;

const A_MAC = '02:00:00:c8:00:01';
const B_MAC = '02:00:00:c8:00:02';

/** Crafted frames: tags and tunnels the kernel here cannot make (reference/machine.md). */
function craftedFrames(): string[] {
  const X = '02:00:00:00:aa:01';
  const Y = '02:00:00:00:aa:02';
  const ip = (src: string, dst: string, proto: number, pl: Uint8Array): Uint8Array => B.ipv4({ src, dst, proto }, pl);
  const frames: Uint8Array[] = [];
  // 802.1Q VLAN 100: UDP both ways (3 + 2).
  for (let i = 0; i < 3; i++)
    frames.push(
      B.eth(
        Y,
        X,
        0x8100,
        B.vlanTag(100, 0x0800, ip('10.200.10.1', '10.200.10.2', 17, B.udp(7000, 7001, new Uint8Array(50 + i)))),
      ),
    );
  for (let i = 0; i < 2; i++)
    frames.push(
      B.eth(
        X,
        Y,
        0x8100,
        B.vlanTag(100, 0x0800, ip('10.200.10.2', '10.200.10.1', 17, B.udp(7001, 7000, new Uint8Array(80)))),
      ),
    );
  // QinQ 802.1ad 200 / 802.1Q 300: a TCP handshake.
  const qinq = (src: string, dst: string, sm: string, dm: string, t: B.TcpOpts): Uint8Array =>
    B.eth(dm, sm, 0x88a8, B.vlanTag(200, 0x8100, B.vlanTag(300, 0x0800, ip(src, dst, 6, B.tcp(t)))));
  frames.push(
    qinq('10.200.11.1', '10.200.11.2', X, Y, {
      sport: 41000,
      dport: 443,
      flags: 0x02,
      seq: 1,
      options: B.synOptions(),
    }),
  );
  frames.push(qinq('10.200.11.2', '10.200.11.1', Y, X, { sport: 443, dport: 41000, flags: 0x12, seq: 9, ack: 2 }));
  frames.push(qinq('10.200.11.1', '10.200.11.2', X, Y, { sport: 41000, dport: 443, flags: 0x10, seq: 2, ack: 10 }));
  // GRE with key 1001 and transparent Ethernet bridging: inner TCP both ways.
  const inner = (src: string, dst: string, sm: string, dm: string, t: B.TcpOpts, n = 0): Uint8Array =>
    B.eth(dm, sm, 0x0800, ip(src, dst, 6, B.tcp(t, new Uint8Array(n))));
  for (let i = 0; i < 2; i++) {
    frames.push(
      B.eth(
        Y,
        X,
        0x0800,
        ip(
          '10.200.12.1',
          '10.200.12.2',
          47,
          B.gre(
            0x6558,
            inner(
              '10.200.13.1',
              '10.200.13.2',
              '02:00:00:00:bb:01',
              '02:00:00:00:bb:02',
              { sport: 42000, dport: 22, flags: 0x18 },
              30,
            ),
            1001,
          ),
        ),
      ),
    );
    frames.push(
      B.eth(
        X,
        Y,
        0x0800,
        ip(
          '10.200.12.2',
          '10.200.12.1',
          47,
          B.gre(
            0x6558,
            inner('10.200.13.2', '10.200.13.1', '02:00:00:00:bb:02', '02:00:00:00:bb:01', {
              sport: 22,
              dport: 42000,
              flags: 0x10,
            }),
            1001,
          ),
        ),
      ),
    );
  }
  // Plain GRE (no key) carrying IPv4/UDP.
  frames.push(
    B.eth(
      Y,
      X,
      0x0800,
      ip(
        '10.200.12.1',
        '10.200.12.2',
        47,
        B.gre(0x0800, ip('10.200.14.1', '10.200.14.2', 17, B.udp(5353, 5354, new Uint8Array(20)))),
      ),
    ),
  );
  // Geneve VNI 77 carrying ICMP echo request and reply.
  const gen = (sm: string, dm: string, src: string, dst: string, type: number): Uint8Array =>
    B.eth(
      dm,
      sm,
      0x0800,
      ip(
        src === '10.200.15.1' ? '10.200.12.1' : '10.200.12.2',
        src === '10.200.15.1' ? '10.200.12.2' : '10.200.12.1',
        17,
        B.udp(
          50000,
          6081,
          B.geneve(
            77,
            0x6558,
            B.eth('02:00:00:00:cc:02', '02:00:00:00:cc:01', 0x0800, ip(src, dst, 1, B.icmpEcho(type, 9, 1))),
          ),
        ),
      ),
    );
  frames.push(gen(X, Y, '10.200.15.1', '10.200.15.2', 8));
  frames.push(gen(Y, X, '10.200.15.2', '10.200.15.1', 0));
  // A malformed one: IPv4 total length beyond the frame (counted, never thrown).
  frames.push(
    B.eth(
      Y,
      X,
      0x0800,
      B.ipv4({ src: '10.200.16.1', dst: '10.200.16.2', proto: 17, totalLen: 900 }, B.udp(1, 2, new Uint8Array(10))),
    ),
  );
  return frames.map((f) => B.toHex(B.pad60(f)));
}

describe('replay against tshark (namespace traffic)', () => {
  const topo = new Topology();
  const dir = mkdtempSync(join(tmpdir(), 'nicscope-decode-'));
  const pcap = join(dir, 'veth.pcap');
  let result: ReplayResult;
  let flows: FlowJson[] = [];
  let tcpdumpStderr = '';

  async function startTcpdump(ns: Netns, dev: string, file: string): Promise<ChildProcess> {
    const child = ns.spawn(['tcpdump', '-i', dev, '-n', '-B', '16384', '-s', '2048', '-U', '-w', file]);
    child.stderr?.on('data', (d: Buffer) => (tcpdumpStderr += d.toString()));
    await waitFor(() => tcpdumpStderr.includes('listening on'), 'tcpdump to listen');
    return child;
  }

  async function serve(ns: Netns, code: string, args: string[]): Promise<ChildProcess> {
    const child = ns.spawn(['python3', '-c', code, ...args]);
    let out = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    await waitFor(() => out.includes('ready'), `python server ${args.join(' ')}`);
    return child;
  }

  beforeAll(async () => {
    const [a, b] = [await topo.netns('a'), await topo.netns('b')];
    const [va, vb] = await topo.veth(a, b);
    await a.ip('link', 'set', va.name, 'address', A_MAC);
    await b.ip('link', 'set', vb.name, 'address', B_MAC);
    await a.noOffload(va.name);
    await b.noOffload(vb.name);
    await a.addr(va.name, '10.200.1.1/24'); // VTEP pair: only VXLAN (and ARP) between these
    await b.addr(vb.name, '10.200.1.2/24');
    await a.addr(va.name, '10.200.3.1/24'); // plain traffic
    await b.addr(vb.name, '10.200.3.2/24');
    await a.addr(va.name, 'fd00:200::1/64');
    await b.addr(vb.name, 'fd00:200::2/64');
    for (const [ns, local, remote] of [
      [a, '10.200.1.1', '10.200.1.2'],
      [b, '10.200.1.2', '10.200.1.1'],
    ] as const) {
      await ns.ip(
        'link',
        'add',
        'vx42',
        'type',
        'vxlan',
        'id',
        '42',
        'local',
        local,
        'remote',
        remote,
        'dstport',
        '4789',
        'dev',
        ns === a ? va.name : vb.name,
      );
      await ns.addr('vx42', ns === a ? '10.200.2.1/24' : '10.200.2.2/24');
      await ns.up('vx42');
      await ns.noOffload('vx42').catch(() => undefined);
    }
    const tcpdump = await startTcpdump(a, va.name, pcap);

    const srv4 = await serve(b, PY_TCP_SERVER, ['10.200.3.2', '5001', '1']);
    const srv6 = await serve(b, PY_TCP_SERVER, ['fd00:200::2', '5003', '1']);
    const srvVx = await serve(b, PY_TCP_SERVER, ['10.200.2.2', '5004', '1']);
    const echo = await serve(b, PY_UDP_ECHO, ['10.200.3.2', '5002', '10']);
    await a.exec(['python3', '-c', PY_TCP_CLIENT, '10.200.3.2', '5001', '100000']);
    await a.exec(['python3', '-c', PY_TCP_CLIENT, 'fd00:200::2', '5003', '30000']);
    await a.exec(['python3', '-c', PY_TCP_CLIENT, '10.200.2.2', '5004', '50000']);
    await a.exec(['python3', '-c', PY_UDP_SEND, '10.200.3.2', '5002', '10', '10.200.3.1']);
    await a.exec(['python3', '-c', PY_UDP_SEND, '10.200.3.255', '5005', '3', '10.200.3.1']);
    await a.exec(['python3', '-c', PY_UDP_SEND, '239.1.2.3', '5006', '4', '10.200.3.1']);
    await a.exec(['ping', '-c', '3', '-i', '0.2', '-W', '2', '10.200.3.2']);
    await a.exec(['ping', '-c', '2', '-i', '0.2', '-W', '2', '10.200.2.2']);
    await a.exec(['ping', '-6', '-c', '2', '-i', '0.2', '-W', '2', 'fd00:200::2']);
    await b.sendRaw(vb.name, craftedFrames());
    for (const c of [srv4, srv6, srvVx, echo]) await waitExit(c, 5000);
    await sleep(1500); // tcpdump's ring delivers in blocks (1 s timeout)
    tcpdump.kill('SIGINT');
    await waitExit(tcpdump, 5000);

    result = replayFile(pcap, {
      iface: va.name,
      nicMac: A_MAC,
      flowsOut: join(dir, 'flows.ndjson'),
      flow: { maxFlows: 4096, idleTimeoutS: 300, activeTimeoutS: 3600, interimS: 0 },
    });
    flows = readFileSync(join(dir, 'flows.ndjson'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as FlowJson);
  }, 120_000);

  afterAll(async () => {
    await topo.destroy();
    if (!process.env.NICSCOPE_KEEP_PCAP) rmSync(dir, { recursive: true, force: true });
    else console.log('kept', dir);
  });

  it('reads a capture that tcpdump took without kernel drops', () => {
    expect(tcpdumpStderr).toMatch(/^0 packets dropped by kernel$/m);
    expect(result.truncatedError).toBeUndefined();
    expect(result.frames).toBeGreaterThan(150);
  });

  it("gives every conversation the packets and bytes per direction of tshark's field export", async () => {
    const theirs = await tsharkFieldConvs(pcap);
    const ours = flowsToConvs(flows);
    const asObj = (m: Map<string, Conv>): Record<string, Conv> =>
      Object.fromEntries([...m].sort(([x], [y]) => (x < y ? -1 : 1)));
    expect(asObj(ours)).toEqual(asObj(theirs));
    // The traffic this test made is all there.
    const keys = [...ours.keys()];
    for (const want of [
      /^-\|-\|ip:6\|10\.200\.3\.1#\d+\|10\.200\.3\.2#5001$/,
      /^-\|-\|ip:6\|fd00:200::1#\d+\|fd00:200::2#5003$/,
      /^vxlan:42\|-\|ip:6\|10\.200\.2\.1#\d+\|10\.200\.2\.2#5004$/,
      /^vxlan:42\|-\|ip:1\|10\.200\.2\.1#0\|10\.200\.2\.2#0$/,
      /^-\|-\|ip:17\|10\.200\.3\.1#\d+\|10\.200\.3\.2#5002$/,
      /^-\|-\|ip:17\|10\.200\.3\.1#\d+\|10\.200\.3\.255#5005$/,
      /^-\|-\|ip:17\|10\.200\.3\.1#\d+\|239\.1\.2\.3#5006$/,
      /^-\|-\|ip:1\|10\.200\.3\.1#0\|10\.200\.3\.2#0$/,
      /^-\|-\|ip:58\|fd00:200::1#0\|fd00:200::2#0$/,
      /^-\|-\|eth:0x0806\|/,
      /^-\|100\|ip:17\|10\.200\.10\.1#7000\|10\.200\.10\.2#7001$/,
      /^-\|200\|ip:6\|10\.200\.11\.1#41000\|10\.200\.11\.2#443$/,
      /^gre:1001\|-\|ip:6\|10\.200\.13\.1#42000\|10\.200\.13\.2#22$/,
      /^gre:0\|-\|ip:17\|10\.200\.14\.1#5353\|10\.200\.14\.2#5354$/,
      /^geneve:77\|-\|ip:1\|10\.200\.15\.1#0\|10\.200\.15\.2#0$/,
    ])
      expect(
        keys.some((k) => want.test(k)),
        String(want),
      ).toBe(true);
  });

  it('matches tshark conv tables (frames each way; bytes where tshark prints them exactly)', async () => {
    const ours = flowsToConvs(flows);
    const check = (prefix: string, a: string, b: string, row: Awaited<ReturnType<typeof tsharkConv>>[number]): void => {
      const xIsA = a <= b;
      const key = `${prefix}|${xIsA ? a : b}|${xIsA ? b : a}`;
      const c = ours.get(key);
      expect(c, key).toBeDefined();
      const fromA = xIsA ? c!.ab : c!.ba;
      const fromB = xIsA ? c!.ba : c!.ab;
      expect([fromA.frames, fromB.frames], key).toEqual([row.fromA.frames, row.fromB.frames]);
      if (row.fromA.bytes !== undefined) expect(fromA.bytes, key).toBe(row.fromA.bytes);
      if (row.fromB.bytes !== undefined) expect(fromB.bytes, key).toBe(row.fromB.bytes);
    };
    const split = (s: string): [string, string] => {
      const i = s.lastIndexOf(':');
      return [s.slice(0, i), s.slice(i + 1)];
    };
    let checked = 0;
    for (const [type, proto] of [
      ['tcp', 6],
      ['udp', 17],
    ] as const) {
      for (const row of await tsharkConv(pcap, type, 'not vlan and not vxlan and not gre and not geneve')) {
        const [ai, ap] = split(row.a);
        const [bi, bp] = split(row.b);
        check(`-|-|ip:${proto}`, `${ai}#${ap}`, `${bi}#${bp}`, row);
        checked++;
      }
    }
    for (const row of await tsharkConv(pcap, 'ip', 'icmp and not vxlan and not geneve and not gre')) {
      check('-|-|ip:1', `${row.a}#0`, `${row.b}#0`, row);
      checked++;
    }
    for (const row of await tsharkConv(pcap, 'ipv6', 'icmpv6 and not vxlan')) {
      check('-|-|ip:58', `${row.a}#0`, `${row.b}#0`, row);
      checked++;
    }
    for (const row of await tsharkConv(pcap, 'eth', 'arp and not vxlan')) {
      check('-|-|eth:0x0806', row.a, row.b, row);
      checked++;
    }
    // Tunnels: tshark's conv,tcp lists the inner TCP conversation of the VXLAN tunnel.
    for (const row of await tsharkConv(pcap, 'tcp', 'vxlan')) {
      const [ai, ap] = split(row.a);
      const [bi, bp] = split(row.b);
      check('vxlan:42|-|ip:6', `${ai}#${ap}`, `${bi}#${bp}`, row);
      checked++;
    }
    expect(checked).toBeGreaterThan(10);
  });

  it('classifies receive modes like the frame addresses say (tshark counts)', async () => {
    // Outer addresses of every frame, as tshark reads them.
    const { stdout } = await run([
      'tshark',
      '-n',
      '-r',
      pcap,
      '-T',
      'fields',
      '-E',
      'occurrence=f',
      '-e',
      'eth.src',
      '-e',
      'eth.dst',
    ]);
    const want = [0, 0, 0, 0, 0, 0];
    for (const line of stdout.trim().split('\n')) {
      const [src = '', dst = ''] = line.split('\t');
      if (src === A_MAC) want[RxClass.OUTGOING]!++;
      else if (dst === 'ff:ff:ff:ff:ff:ff') want[RxClass.BROADCAST]!++;
      else if (parseInt(dst.slice(0, 2), 16) & 1) want[RxClass.MULTICAST]!++;
      else if (dst === A_MAC) want[RxClass.HOST]!++;
      else want[RxClass.PROMISC]!++;
    }
    const rx = Array.from(result.pipeline.summary.rxClasses);
    expect(rx).toEqual(want);
    expect(rx[RxClass.BROADCAST]! + rx[RxClass.MULTICAST]! + rx[RxClass.PROMISC]!).toBeGreaterThan(0);
  });

  it('counts the crafted malformed frame and keeps decoding the rest', () => {
    const malformed = result.summary.malformed as Record<string, number>;
    expect(malformed).toEqual({ ipv4_len_exceeds_frame: 1 });
  });
});
