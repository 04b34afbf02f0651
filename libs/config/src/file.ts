/** Reads a YAML or JSON configuration file for loadConfig (the only I/O of this lib besides logging). */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { ConfigError, type ConfigFile } from './load.js';

export function readConfigFile(path: string): ConfigFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError([
      `--config ${path}: cannot read the file (${(e as NodeJS.ErrnoException).code ?? String(e)})`,
    ]);
  }
  try {
    // YAML is a superset of JSON: one parser reads both.
    return { path, data: parseYaml(text) as unknown };
  } catch (e) {
    throw new ConfigError([`--config ${path}: not valid YAML or JSON: ${(e as Error).message.split('\n')[0]}`]);
  }
}
