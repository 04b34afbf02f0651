#!/usr/bin/env node
// One set-up for `npm start`, `npm test` and the `nicscope` command on a fresh Debian 12 machine:
//   1. system packages (apt-get, non-interactive, when root; otherwise the exact line to run, exit 2),
//   2. `npm ci` when node_modules is absent or older than package-lock.json,
//   3. the libpcap addon (node-gyp against the installed Node's headers) when its sources changed,
//   4. the TypeScript build (nest build) when a source changed.
// A second run does no needless work: each step compares stamps and returns at once.
// Only Node built-ins are used here: this runs before node_modules exists.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync, rmSync, utimesSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const purpose = args.includes('--for') ? args[args.indexOf('--for') + 1] : 'start';
const quiet = args.includes('--quiet');
const log = (m) => {
  if (!quiet) process.stderr.write(`[setup] ${m}\n`);
};

// Debian packages, with a file each one installs (dpkg -s is slow-ish; a file test is instant).
const APT_START = [
  ['libpcap-dev', '/usr/include/pcap/pcap.h'],
  ['build-essential', '/usr/bin/g++'],
  ['python3', '/usr/bin/python3'],
  ['iproute2', '/usr/sbin/ip'],
  ['ethtool', '/usr/sbin/ethtool'],
];
const APT_TEST = [
  ...APT_START,
  ['tcpdump', '/usr/bin/tcpdump'],
  ['tshark', '/usr/bin/tshark'],
  ['openvswitch-switch', '/usr/sbin/ovs-vswitchd'],
  ['softflowd', '/usr/sbin/softflowd'],
  ['iputils-ping', '/usr/bin/ping'],
  ['chromium', '/usr/bin/chromium'],
];

function aptStep() {
  const wanted = purpose === 'test' ? APT_TEST : APT_START;
  const missing = wanted.filter(([, file]) => !existsSync(file)).map(([pkg]) => pkg);
  if (missing.length === 0) return;
  const line = `apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y ${missing.join(' ')}`;
  if (process.getuid?.() !== 0) {
    process.stderr.write(`nicscope needs these Debian packages: ${missing.join(' ')}\nRun as root:\n  ${line}\n`);
    process.exit(2);
  }
  log(`installing ${missing.join(' ')}`);
  // Installing openvswitch-switch must not start the system's OVS service: a policy-rc.d that
  // refuses service starts is put in place for the install if the machine has none.
  const policy = '/usr/sbin/policy-rc.d';
  const ownPolicy = !existsSync(policy);
  if (ownPolicy) writeFileSync(policy, '#!/bin/sh\nexit 101\n', { mode: 0o755 });
  try {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const install = () =>
      spawnSync('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...missing], {
        stdio: ['ignore', 'ignore', 'inherit'],
        env,
      });
    let r = install();
    if (r.status !== 0) {
      execFileSync('apt-get', ['update', '-q'], { stdio: ['ignore', 'ignore', 'inherit'], env });
      r = install();
    }
    if (r.status !== 0) {
      process.stderr.write(`apt-get install failed (exit ${r.status}); try: ${line}\n`);
      process.exit(1);
    }
  } finally {
    if (ownPolicy) rmSync(policy, { force: true });
  }
}

const hash = (file) => createHash('sha256').update(readFileSync(file)).digest('hex');

function npmStep() {
  const stamp = join(ROOT, 'node_modules', '.nicscope-lock');
  const want = hash(join(ROOT, 'package-lock.json'));
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === want) return;
  log('npm ci');
  const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (r.status !== 0) {
    process.stderr.write('npm ci failed\n');
    process.exit(1);
  }
  writeFileSync(stamp, want);
}

function newestMtime(dirs, accept) {
  let newest = 0;
  const walk = (d) => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.name === 'node_modules' || e.name === 'build' || e.name === 'dist') continue;
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (accept(p)) newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  for (const d of dirs) walk(join(ROOT, d));
  return newest;
}

function stampIsFresh(stampFile, sourcesMtime) {
  return existsSync(stampFile) && statSync(stampFile).mtimeMs >= sourcesMtime;
}

// The stamp carries the newest source mtime seen *before* the build started: a file edited while
// the build ran is newer than the stamp, so the next run builds again.
function writeStamp(stampFile, sourcesMtime) {
  writeFileSync(stampFile, new Date().toISOString());
  // Whole milliseconds, rounded up: utimes cannot store the sub-millisecond part of mtimeMs, and a
  // stamp a fraction older than its newest source would look stale forever.
  const t = (Math.floor(sourcesMtime) + 1) / 1000;
  utimesSync(stampFile, t, t);
}

function nativeStep() {
  // Every native addon of the project: a folder with a binding.gyp under libs/*/native.
  for (const lib of readdirSync(join(ROOT, 'libs'))) {
    const dir = join(ROOT, 'libs', lib, 'native');
    if (!existsSync(join(dir, 'binding.gyp'))) continue;
    const stamp = join(dir, 'build', '.nicscope-built');
    const src = Math.max(
      newestMtime([`libs/${lib}/native`], (p) => /\.(cc|cpp|c|h|hpp|gyp)$/.test(p)),
      statSync(join(ROOT, 'package-lock.json')).mtimeMs,
    );
    if (stampIsFresh(stamp, src)) continue;
    log(`building native addon libs/${lib}/native`);
    // nodedir: the installed Node's own headers (nothing is downloaded).
    const nodedir = dirname(dirname(process.execPath));
    const gyp = join(ROOT, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
    const r = spawnSync(process.execPath, [gyp, 'rebuild', `--nodedir=${nodedir}`, '--loglevel=error'], {
      cwd: dir,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    if (r.status !== 0) {
      process.stderr.write(`building libs/${lib}/native failed\n`);
      process.exit(1);
    }
    mkdirSync(dirname(stamp), { recursive: true });
    writeStamp(stamp, src);
  }
}

function buildStep() {
  const stamp = join(ROOT, 'dist', '.nicscope-built');
  const src = Math.max(
    newestMtime(['apps', 'libs'], (p) => p.endsWith('.ts') && !p.endsWith('.spec.ts')),
    ...['tsconfig.json', 'tsconfig.build.json', 'nest-cli.json', 'package-lock.json'].map(
      (f) => statSync(join(ROOT, f)).mtimeMs,
    ),
  );
  if (stampIsFresh(stamp, src)) return;
  log('building (nest build)');
  const nest = join(ROOT, 'node_modules', '@nestjs', 'cli', 'bin', 'nest.js');
  const r = spawnSync(process.execPath, [nest, 'build', 'cli'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) {
    process.stderr.write('build failed\n');
    process.exit(1);
  }
  writeStamp(stamp, src);
}

aptStep();
npmStep();
nativeStep();
buildStep();
