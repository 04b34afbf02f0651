/**
 * The collector's live status table (a terminal refreshed every second): per interface packets/s,
 * bytes/s, kernel drops, active flows; rows written; spool. Pure text rendering from counters.
 */
export interface InterfaceStatus {
  name: string;
  kind: string;
  packets: number;
  bytes: number;
  drops: number;
  flows: number;
  malformed: number;
  error?: string;
}

export interface StatusSnapshot {
  at: number;
  interfaces: InterfaceStatus[];
  rowsWritten: number;
  spoolBytes: number;
  insertErrors: number;
  ovs: string;
}

function human(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)}G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  return String(Math.round(n));
}

/** Renders the table from two snapshots (rates over the time between them). */
export function renderStatus(prev: StatusSnapshot | undefined, cur: StatusSnapshot): string {
  const dt = prev ? Math.max((cur.at - prev.at) / 1000, 0.001) : 1;
  const before = new Map(prev?.interfaces.map((i) => [i.name, i]));
  const header = ['interface', 'kind', 'pkt/s', 'bytes/s', 'drops', 'flows', 'malformed'];
  const rows = cur.interfaces.map((i) => {
    const p = before.get(i.name);
    return [
      i.name,
      i.kind,
      human(p ? (i.packets - p.packets) / dt : 0),
      human(p ? (i.bytes - p.bytes) / dt : 0),
      human(i.drops),
      human(i.flows),
      human(i.malformed) + (i.error ? `  ! ${i.error}` : ''),
    ];
  });
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (c === 6 ? 0 : r[c]!.length))));
  const line = (r: string[]): string => r.map((v, c) => (c === r.length - 1 ? v : v.padEnd(widths[c]!))).join('  ');
  return [
    line(header),
    ...rows.map(line),
    '',
    `rows written ${human(cur.rowsWritten)}   spool ${human(cur.spoolBytes)}B   insert errors ${cur.insertErrors}   ovs ${cur.ovs}`,
  ].join('\n');
}
