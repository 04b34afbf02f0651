import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { captureHealth, flowsList, ovsDatapath, series, top, type FlowFilter } from './queries.js';

const placeholders = (q: string): string[] => [...q.matchAll(/\{([A-Za-z_]+):[A-Za-z0-9]+\}/g)].map((m) => m[1]!);

describe(flowsList.name, () => {
  it('never puts a filter value into the SQL text, and every placeholder has its parameter', () => {
    // user text: anything, marked so that finding it in the SQL cannot be a coincidence
    const text = fc.string({ maxLength: 30 }).map((s) => `\u00a7${s}`);
    fc.assert(
      fc.property(text, fc.integer({ min: 0, max: 65535 }), text, (iface, port, addr) => {
        const f: FlowFilter = {
          fromMs: 1,
          toMs: 2,
          iface,
          addr,
          port: 60000 + (port % 5000),
          vlan: 4001,
          tunnel: 'vxlan',
          proto: 'udp',
        };
        for (const sql of [
          flowsList('db', f, 10, 0),
          top('db', 'talkers', f, 'bytes', 5),
          top('db', 'conversations', f, 'packets', 5),
          top('db', 'protocols', f, 'bytes', 5),
        ]) {
          expect(sql.query).not.toContain(iface);
          expect(sql.query).not.toContain(addr);
          expect(sql.query).not.toContain(String(f.port));
          expect(sql.query).not.toContain('4001');
          for (const name of placeholders(sql.query)) expect(sql.params).toHaveProperty(name);
          expect(sql.params).toMatchObject({ iface, addr, port: f.port, vlan: 4001, tunnel: 'vxlan', proto: 17 });
        }
      }),
    );
  });

  it('adds only the fragments of the filters present', () => {
    const q = flowsList('db', { fromMs: 1, toMs: 2 }, 10, 0).query;
    expect(q).not.toMatch(/iface =|src_port =|proto =|vlan =|tunnel_type =/);
    expect(flowsList('db', { fromMs: 1, toMs: 2, tunnel: 'none' }, 10, 0).params.tunnel).toBe('');
  });

  it('parameterizes the other queries the same way', () => {
    for (const sql of [
      series('db', { fromMs: 1, toMs: 2 }, "e'th", 60, 10),
      ovsDatapath('db', { fromMs: 1, toMs: 2 }, "d'p", 10),
      captureHealth('db', { fromMs: 1, toMs: 2 }, "e'th", 10),
    ]) {
      expect(sql.query).not.toContain("'th");
      expect(sql.query).not.toContain("d'p");
      for (const name of placeholders(sql.query)) expect(sql.params).toHaveProperty(name);
    }
  });
});
