/**
 * `nicscope capture -i IFACE [-i IFACE…] [-f FILTER] [-c COUNT] [-w FILE.pcap]`: live capture
 * with libs/pcap. With -w it writes pcap files (one per interface when several are given:
 * `name.<iface>.pcap`); without -w it prints one line per frame. Live counters (packets, bytes,
 * kernel drops) go to stderr. Ctrl-C, SIGTERM or COUNT stop it cleanly: pending packets are
 * delivered, files closed, and the packet sockets closed, so no interface stays promiscuous.
 */
import { type Command } from 'commander';
import { CaptureSession, PcapError, RECORD_HEADER, type PacketBatch, type SessionInterface } from '@nicscope/pcap';
import { type CliContext, UsageError } from '../context.js';

/**
 * DECODER HOOK: one line per frame when capturing without -w. libs/packet (the decoder issue)
 * plugs its decoded one-line summary in here with `setFrameSummarizer`; until then the line is
 * `time iface length` (plus the captured length when the frame was cut by the snaplen).
 * Called per frame only when printing: it may build a string.
 */
export type FrameSummarizer = (
  linkType: number,
  buf: Uint8Array,
  off: number,
  caplen: number,
  wirelen: number,
) => string;

let frameSummarizer: FrameSummarizer | undefined;

export function setFrameSummarizer(fn: FrameSummarizer | undefined): void {
  frameSummarizer = fn;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** `HH:MM:SS.nnnnnnnnn` in local time, like tcpdump's default with nanosecond precision. */
export function formatTime(sec: number, nsec: number): string {
  const d = new Date(sec * 1000);
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}.${String(nsec).padStart(9, '0')}`;
}

function printBatch(itf: SessionInterface, b: PacketBatch, n: number, out: (s: string) => void): void {
  const v = b.view;
  const lines: string[] = [];
  for (let i = 0, off = 0; i < n; i++) {
    const caplen = v.getUint32(off + 8, true);
    const wirelen = v.getUint32(off + 12, true);
    const head = `${formatTime(v.getUint32(off, true), v.getUint32(off + 4, true))} ${itf.device}`;
    const rest = frameSummarizer
      ? frameSummarizer(itf.capture.linkType, b.buf, off + RECORD_HEADER, caplen, wirelen)
      : caplen < wirelen
        ? `length ${wirelen} (captured ${caplen})`
        : `length ${wirelen}`;
    lines.push(`${head} ${rest}`);
    off += RECORD_HEADER + ((caplen + 3) & ~3);
  }
  if (lines.length > 0) out(lines.join('\n') + '\n');
}

/**
 * The program's global `-c, --config` would swallow the `-c COUNT` given after `capture`
 * (commander parses program options anywhere unless positional options are enabled). Take the
 * values back from the raw argv: the count after `capture`, the config file before it.
 */
function reclaimDashC(program: Command, subName: string): string | undefined {
  const raw = ((program as unknown as { rawArgs?: string[] }).rawArgs ?? process.argv).slice(2);
  const at = raw.indexOf(subName);
  if (at < 0) return undefined;
  const valueOf = (args: string[], short: string, long: string): string | undefined => {
    let v: string | undefined;
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      if (a === '--') break;
      if (a === short || a === long) v = args[++i];
      else if (a.startsWith(`${long}=`)) v = a.slice(long.length + 1);
      else if (a.startsWith(short) && a.length > short.length && !a.startsWith('--')) v = a.slice(short.length);
    }
    return v;
  };
  const count = valueOf(raw.slice(at + 1), '-c', '--count');
  if (count !== undefined) program.setOptionValue('config', valueOf(raw.slice(0, at), '-c', '--config'));
  return count;
}

function parseCount(s: string | undefined): number {
  if (s === undefined) return 0;
  if (!/^\d+$/.test(s) || Number(s) < 1) throw new UsageError(`-c/--count "${s}": expected a positive integer`);
  return Number(s);
}

interface CaptureOpts {
  interface?: string[];
  filter?: string;
  count?: string;
  write?: string;
  snaplen?: string;
  promisc: boolean;
  bufferMb?: string;
  timeoutMs?: string;
  immediate?: boolean;
  direction?: string;
  quiet?: boolean;
}

function intOpt(name: string, s: string | undefined, def: number, min: number, max: number): number {
  if (s === undefined) return def;
  const n = Number(s);
  if (!/^\d+$/.test(s) || n < min || n > max)
    throw new UsageError(`${name} "${s}": expected an integer ${min}..${max}`);
  return n;
}

export function registerCapture(program: Command, ctx: CliContext): void {
  program
    .command('capture')
    .description(
      'capture packets on interfaces (libpcap, promiscuous by default) into pcap files or as one line per frame',
    )
    .option(
      '-i, --interface <name>',
      'interface to capture on (repeatable; "any" = every interface, Linux cooked)',
      (v: string, acc: string[] = []) => [...acc, v],
    )
    .option('-f, --filter <expr>', 'BPF filter, tcpdump syntax')
    .option('-c, --count <n>', 'stop after n packets in total')
    .option('-w, --write <file>', 'write a pcap file (several interfaces: one file each, name.<iface>.pcap)')
    .option('-s, --snaplen <bytes>', 'bytes kept of each frame')
    .option('--no-promisc', 'do not put the interfaces into promiscuous mode')
    .option('-B, --buffer-mb <mib>', 'kernel buffer per interface, MiB')
    .option('--timeout-ms <ms>', 'longest wait before a partial batch is delivered')
    .option('--immediate', 'deliver every packet at once')
    .option('-Q, --direction <dir>', 'in, out or inout')
    .option('-q, --quiet', 'no live counters on stderr (the start and end lines stay)')
    .action(async (opts: CaptureOpts) => {
      const countArg = reclaimDashC(program, 'capture') ?? opts.count;
      const devices = opts.interface ?? [];
      if (devices.length === 0) throw new UsageError('capture: give at least one interface with -i IFACE');
      if (new Set(devices).size !== devices.length) throw new UsageError('capture: an interface is given twice');
      const count = parseCount(countArg);
      const cap = ctx.cfg.config.capture;
      const direction = opts.direction ?? 'inout';
      if (direction !== 'in' && direction !== 'out' && direction !== 'inout') {
        throw new UsageError(`-Q/--direction "${direction}": expected in, out or inout`);
      }
      const filter = opts.filter ?? (cap.filter || undefined);
      const stdout = (s: string): void => void process.stdout.write(s);

      let session: CaptureSession;
      try {
        session = new CaptureSession({
          devices,
          filter,
          count,
          writeFile: opts.write,
          snaplen: intOpt('-s/--snaplen', opts.snaplen, cap.snaplen, 64, 262144),
          promisc: opts.promisc && cap.promisc,
          bufferSize: intOpt('-B/--buffer-mb', opts.bufferMb, cap.bufferMb, 1, 4096) * 1024 * 1024,
          timeoutMs: intOpt('--timeout-ms', opts.timeoutMs, cap.timeoutMs, 1, 1000),
          immediate: opts.immediate ?? cap.immediate,
          direction,
          onBatch: opts.write ? undefined : (itf, b, _first, n) => printBatch(itf, b, n, stdout),
          onDone: () => void stop(),
        });
      } catch (e) {
        if (e instanceof PcapError) throw new UsageError(e.message);
        throw e;
      }

      const tty = process.stderr.isTTY === true && !opts.quiet;
      const counters = (): string =>
        session.interfaces
          .map((i) => {
            let drop = 0;
            try {
              drop = i.capture.stats().drop;
            } catch {
              /* closed */
            }
            return `${i.device}: ${i.packets} packets, ${i.bytes} bytes, ${drop} dropped by kernel`;
          })
          .join('; ');
      for (const i of session.interfaces) {
        const what = i.file ? `writing ${i.file}` : 'printing frames';
        const warn = i.capture.warning ? ` (warning: ${i.capture.warning})` : '';
        process.stderr.write(
          `capturing on ${i.device}, link type ${i.capture.linkName} (${i.capture.linkType}), ${what}${warn}\n`,
        );
      }
      const ticker = tty ? setInterval(() => process.stderr.write(`\r${counters()}\x1b[K`), 500) : undefined;

      let stopping: Promise<void> | undefined;
      let resolveDone!: () => void;
      const done = new Promise<void>((r) => (resolveDone = r));
      const stop = (): Promise<void> => {
        stopping ??= (async () => {
          if (ticker) clearInterval(ticker);
          if (!session.finished) await session.drain();
          else for (const i of session.interfaces) i.capture.stop();
          const lines: string[] = [];
          for (const i of session.interfaces) {
            let s = 'statistics unavailable';
            try {
              const st = i.capture.stats();
              s = `${st.recv} received by filter, ${st.drop} dropped by kernel, ${st.ifdrop} dropped by interface`;
            } catch {
              /* closed */
            }
            lines.push(
              `${i.device}: ${i.packets} packets captured (${i.bytes} bytes); ${s}${i.error ? `; error: ${i.error}` : ''}`,
            );
          }
          session.close();
          if (tty) process.stderr.write('\n');
          process.stderr.write(lines.join('\n') + '\n');
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
          process.off('SIGHUP', onSignal);
          resolveDone();
        })();
        return stopping;
      };
      const onSignal = (): void => void stop();
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      process.on('SIGHUP', onSignal);
      session.start();
      await done;
      const failed = session.interfaces.filter((i) => i.error !== undefined);
      if (failed.length === session.interfaces.length) throw new Error(failed.map((i) => i.error).join('; '));
    });
}
