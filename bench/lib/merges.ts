/** What the benches need of the storage adapter to watch chDB's merges. */
interface Queries {
  query<T>(sql: string): Promise<T[]>;
}

/**
 * Resolves once no merge has run for a second (five polls 200 ms apart): the merges an insert
 * caused are done, and their CPU is in what the caller measures. `where` narrows system.merges
 * (for example to one table).
 */
export async function mergesSettled(ch: Queries, where = '1'): Promise<void> {
  for (let quiet = 0; quiet < 5;) {
    await new Promise((r) => setTimeout(r, 200));
    const m = await ch.query<{ n: string }>(`SELECT count() AS n FROM system.merges WHERE ${where}`);
    quiet = Number(m[0]!.n) === 0 ? quiet + 1 : 0;
  }
}

/** Rows inserted and rows merged so far, from chDB's cumulative event counters. */
export interface RowEvents {
  inserted: number;
  merged: number;
}

export async function rowEvents(ch: Queries): Promise<RowEvents> {
  const rows = await ch.query<{ event: string; value: string }>(
    "SELECT event, value FROM system.events WHERE event IN ('InsertedRows', 'MergedRows')",
  );
  const get = (e: string): number => Number(rows.find((r) => r.event === e)?.value ?? 0);
  return { inserted: get('InsertedRows'), merged: get('MergedRows') };
}
