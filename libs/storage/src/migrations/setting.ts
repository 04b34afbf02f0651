/**
 * A MergeTree setting changed on an existing table by a migration (0014, 0016, 0017): applied when the
 * server knows the setting and the table does not have the value yet, so a second run and a
 * server without the setting both do nothing.
 */
import { type DdlOptions } from '../schema/ddl.js';
import { type MigrationContext } from './migration.js';

/** Sets `setting = value` on one table (local name); true if it changed the table. */
export async function modifySetting(
  ctx: MigrationContext,
  table: string,
  setting: string,
  value: number,
): Promise<boolean> {
  const known = await ctx.ch.query<{ n: string | number }>(
    `SELECT count() AS n FROM system.merge_tree_settings WHERE name = '${setting}'`,
    `looking for the ${setting} setting`,
  );
  if (Number(known[0]?.n ?? 0) === 0) return false;
  const create = await ctx.createQuery(table);
  if (create === undefined || settingIn(create, setting) === value) return false;
  await ctx.exec(modifySettingDdl(table, ctx.ddl, setting, value));
  return true;
}

/** The value of `setting` in a table's CREATE statement, or undefined when it is not set there. */
export function settingIn(create: string, setting: string): number | undefined {
  const m = new RegExp(`\\b${setting} = (\\d+)\\b`).exec(create);
  return m ? Number(m[1]) : undefined;
}

export function modifySettingDdl(table: string, o: DdlOptions, setting: string, value: number): string {
  const on = o.cluster ? ` ON CLUSTER \`${o.cluster}\`` : '';
  return `ALTER TABLE \`${o.database}\`.\`${table}\`${on} MODIFY SETTING ${setting} = ${value}`;
}
