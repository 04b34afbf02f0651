/**
 * `nicscope replay FILE`: a pcap/pcapng file through the same decoder and flow engine as live
 * capture (FramePipeline), with flow records as NDJSON, a summary, and frame lines.
 */
import { closeSync, openSync, statSync, writeSync } from 'node:fs';
import { basename } from 'node:path';
import { type Command } from 'commander';
import { SingleBar } from 'cli-progress';
import { OfflineCapture, PcapError } from '@nicscope/pcap';
import { FramePipeline, flowToNdjson, type FlowRecord, type FlowTableOptions } from '@nicscope/flow';
import { formatFrameLine, frameSummary, parseMac } from '@nicscope/packet';
import { type CliContext, UsageError } from '../context.js';

export interface ReplayOptions {
  /** NDJSON flow records to this file ('-' = stdout); none when undefined. */
  flowsOut?: string;
  /** Interface name put in records and frame lines (default: the file's base name). */
  iface?: string;
  /** MAC of the capturing NIC, for receive classes. */
  nicMac?: string;
  filter?: string;
  flow: FlowTableOptions;
  /** Print one line (or one JSON object with json) per frame to stdout. */
  print?: boolean;
  json?: boolean;
  /** Progress callback (fraction 0..1 of the file, estimated). */
  onProgress?: (fraction: number, frames: number) => void;
}

export interface ReplayResult {
  linkType: number;
  format: string;
  frames: number;
  flows: number;
  records: number;
  seconds: number;
  truncatedError: string | undefined;
  summary: Record<string, unknown>;
  pipeline: FramePipeline;
}

/** Buffered writes (~256 KiB per write): to a file with writeSync, to stdout through its stream. */
class LineWriter {
  private parts: string[] = [];
  private size = 0;
  constructor(private readonly fd: number) {}
  write(s: string): void {
    this.parts.push(s);
    this.size += s.length;
    if (this.size >= 256 * 1024) this.flush();
  }
  flush(): void {
    if (this.parts.length === 0) return;
    const chunk = this.parts.join('');
    this.parts = [];
    this.size = 0;
    if (this.fd === 1) {
      process.stdout.write(chunk); // a pipe may be non-blocking: let the stream buffer it
      return;
    }
    const buf = Buffer.from(chunk);
    for (let off = 0; off < buf.length;) off += writeSync(this.fd, buf, off);
  }
}

/** Runs one file through the pipeline. Throws PcapError when the file cannot be opened. */
export function replayFile(path: string, opts: ReplayOptions): ReplayResult {
  const started = process.hrtime.bigint();
  const cap = OfflineCapture.open(path, opts.filter ? { filter: opts.filter } : {});
  const iface = opts.iface ?? basename(path);
  const names = [iface];
  let out: LineWriter | undefined;
  let outFd = -1;
  if (opts.flowsOut !== undefined) {
    outFd = opts.flowsOut === '-' ? 1 : openSync(opts.flowsOut, 'w');
    out = new LineWriter(outFd);
  }
  const w = out;
  const sink = w ? (r: FlowRecord): void => w.write(flowToNdjson(r, names)) : (): void => {};
  const pipe = new FramePipeline(opts.flow, sink);
  if (opts.nicMac) {
    const mac = parseMac(opts.nicMac);
    if (!mac) throw new UsageError(`--nic-mac "${opts.nicMac}": expected a MAC like 02:00:00:00:00:01`);
    pipe.setNic(mac);
  }
  const lines = opts.print ? new LineWriter(1) : undefined;
  if (lines) {
    pipe.onFrame = opts.json
      ? (p, sec, nsec) => lines.write(JSON.stringify(frameSummary(p, sec, nsec, iface)) + '\n')
      : (p, sec, nsec) => lines.write(formatFrameLine(p, sec, nsec, iface) + '\n');
  }
  const fileSize = Math.max(1, statSync(path).size);
  let consumed = 24;
  try {
    for (let b = cap.readBatchShared(); b !== null; b = cap.readBatchShared()) {
      pipe.processBatch(b, cap.linkType, 0);
      if (opts.onProgress) {
        consumed += b.byteLength; // ~ file bytes (record headers are the same size as pcap's)
        opts.onProgress(Math.min(1, consumed / fileSize), pipe.summary.frames);
      }
    }
    pipe.table.flush();
  } finally {
    cap.close();
    lines?.flush();
    out?.flush();
    if (outFd > 2) closeSync(outFd);
  }
  const t = pipe.table;
  const summary = pipe.summary.report(pipe.parser);
  summary.flows = {
    created: t.flowsCreated,
    records: t.records,
    evictions: t.evictions,
    unkeyed_frames: t.unkeyed,
    fragments_attributed: t.fragmentsAttributed,
    fragments_unmatched: t.fragmentsUnmatched,
  };
  return {
    linkType: cap.linkType,
    format: cap.format,
    frames: pipe.summary.frames,
    flows: t.flowsCreated,
    records: t.records,
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
    truncatedError: cap.truncatedError,
    summary,
    pipeline: pipe,
  };
}

function printSummary(r: ReplayResult, json: boolean): void {
  if (json) {
    process.stdout.write(JSON.stringify({ link_type: r.linkType, format: r.format, ...r.summary }) + '\n');
    return;
  }
  const s = r.summary;
  const n = (k: string): string => String(s[k]);
  const section = (title: string, o: unknown): void => {
    const entries = Object.entries((o ?? {}) as Record<string, number>);
    if (entries.length === 0) return;
    console.log(`${title}:`);
    for (const [k, v] of entries.sort((a, b) => b[1] - a[1])) console.log(`  ${k.padEnd(24)} ${v}`);
  };
  console.log(
    `frames ${n('frames')}, bytes ${n('bytes')} (captured ${n('captured_bytes')}), link type ${r.linkType}, ${r.format}`,
  );
  section('link types', s.link_types);
  section('layers', s.layers);
  section('inner layers (tunnels)', s.inner_layers);
  section('receive classes', s.rx_classes);
  section('malformed', s.malformed);
  console.log(`snapped frames ${n('snapped')}, nested tunnels ${n('nested_tunnels')}`);
  section('flows', s.flows);
}

export function registerReplay(program: Command, ctx: CliContext): void {
  program
    .command('replay')
    .description('run a pcap/pcapng file through the decoder and the flow engine')
    .argument('<file>', 'pcap or pcapng file')
    .option('--flows-out <file>', 'write flow records as NDJSON to this file (- for stdout)')
    .option('--summary', 'print totals: frames, bytes, layers, receive classes, malformed reasons, flows')
    .option('--print', 'print one line per frame (tcpdump -nn style)')
    .option('--json', 'with --print: NDJSON frame summaries; with --summary: JSON totals')
    .option('--iface <name>', 'interface name for the records (default: the file name)')
    .option('--nic-mac <mac>', 'MAC of the capturing NIC (receive classes host/promisc/outgoing)')
    .option('-f, --filter <bpf>', 'tcpdump-syntax filter applied while reading')
    .action(
      (
        file: string,
        o: {
          flowsOut?: string;
          summary?: boolean;
          print?: boolean;
          json?: boolean;
          iface?: string;
          nicMac?: string;
          filter?: string;
        },
      ) => {
        const f = ctx.cfg.config.flow;
        const bar =
          process.stderr.isTTY && !o.print
            ? new SingleBar({
                format: 'replay [{bar}] {percentage}% | {frames} frames',
                stream: process.stderr,
                hideCursor: true,
              })
            : undefined;
        bar?.start(100, 0, { frames: 0 });
        let result: ReplayResult;
        try {
          result = replayFile(file, {
            flowsOut: o.flowsOut,
            iface: o.iface,
            nicMac: o.nicMac,
            filter: o.filter,
            print: o.print,
            json: o.json,
            flow: {
              maxFlows: f.maxFlows,
              idleTimeoutS: f.idleTimeoutS,
              activeTimeoutS: f.activeTimeoutS,
              interimS: f.interimS,
            },
            onProgress: bar ? (fr, frames) => bar.update(Math.round(fr * 100), { frames }) : undefined,
          });
        } catch (e) {
          if (e instanceof PcapError) throw new UsageError(e.message);
          throw e;
        } finally {
          bar?.stop();
        }
        if (o.summary) printSummary(result, !!o.json);
        else if (!o.print && o.flowsOut !== '-')
          process.stderr.write(
            `${result.frames} frames, ${result.flows} flows, ${result.records} records in ${result.seconds.toFixed(2)} s\n`,
          );
        if (result.truncatedError) {
          process.stderr.write(`nicscope: ${result.truncatedError}; the frames before it were processed\n`);
          process.exitCode = 1;
        }
      },
    );
}
