/**
 * Every configuration key of nicscope, with its environment variable, default and meaning. The
 * defaults run the embedded mode (one process, chDB under ./data) with no configuration at all.
 * To add a key: add it here; `nicscope config` and docs/configuration.md list it from this table.
 */
import { bool, int, list, oneOf, str, type ConfigOf } from './keys.js';

const HOSTPORT = /^[A-Za-z0-9.:[\]-]+$/;

export const SPEC = {
  dataDir: str('NICSCOPE_DATA_DIR', './data', 'folder for the embedded ClickHouse (chDB) database and the spool'),
  log: {
    level: oneOf(
      'NICSCOPE_LOG_LEVEL',
      'info',
      ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'],
      'log level',
    ),
    format: oneOf(
      'NICSCOPE_LOG_FORMAT',
      'auto',
      ['auto', 'json', 'pretty'],
      'log format: auto = pretty in a terminal, JSON otherwise',
    ),
  },
  capture: {
    interfaces: list(
      'NICSCOPE_CAPTURE_INTERFACES',
      ['*'],
      'interfaces to capture, by name pattern (* and ? wildcards)',
      {
        item: /^[A-Za-z0-9_.:@*?-]+$/,
        expected:
          'a comma-separated list of interface name patterns (letters, digits, _ . : @ - and the wildcards * ?)',
      },
    ),
    exclude: list('NICSCOPE_CAPTURE_EXCLUDE', ['lo'], 'interfaces never captured, by name pattern', {
      item: /^[A-Za-z0-9_.:@*?-]+$/,
      expected: 'a comma-separated list of interface name patterns',
    }),
    kinds: list('NICSCOPE_CAPTURE_KINDS', [], 'interface kinds to capture (empty: every kind)', {
      item: /^(physical|bridge|veth|tap|tun|vlan|vxlan|gre|geneve|macvlan|bond|openvswitch|loopback|other)$/,
      expected:
        'a comma-separated list of physical, bridge, veth, tap, tun, vlan, vxlan, gre, geneve, macvlan, bond, openvswitch, loopback, other',
    }),
    promisc: bool('NICSCOPE_CAPTURE_PROMISC', true, 'capture in promiscuous mode'),
    snaplen: int('NICSCOPE_CAPTURE_SNAPLEN', 262144, 64, 262144, 'bytes kept of each frame'),
    bufferMb: int('NICSCOPE_CAPTURE_BUFFER_MB', 32, 1, 4096, 'kernel capture buffer per interface, MiB'),
    timeoutMs: int('NICSCOPE_CAPTURE_TIMEOUT_MS', 50, 1, 1000, 'longest wait before a partial batch is delivered'),
    immediate: bool('NICSCOPE_CAPTURE_IMMEDIATE', false, 'deliver each packet at once (defeats batching under load)'),
    filter: str('NICSCOPE_CAPTURE_FILTER', '', 'BPF capture filter, tcpdump syntax (empty: everything)'),
  },
  flow: {
    idleTimeoutS: int('NICSCOPE_FLOW_IDLE_TIMEOUT_S', 30, 1, 86400, 'a flow with no packet for this long ends (idle)'),
    activeTimeoutS: int(
      'NICSCOPE_FLOW_ACTIVE_TIMEOUT_S',
      300,
      1,
      86400,
      'a flow older than this ends and restarts (active)',
    ),
    interimS: int('NICSCOPE_FLOW_INTERIM_S', 10, 1, 3600, 'interval of interim flow records'),
    maxFlows: int('NICSCOPE_FLOW_MAX', 1_000_000, 1024, 16_777_216, 'flows kept per capture worker before eviction'),
  },
  frames: {
    sampleRate: int('NICSCOPE_FRAME_SAMPLE_RATE', 100, 0, 1_000_000, 'store 1 frame summary in N (0: none)'),
  },
  clickhouse: {
    url: str('NICSCOPE_CLICKHOUSE_URL', '', 'ClickHouse server URL; empty = embedded chDB in dataDir', {
      pattern: /^(|https?:\/\/.+)$/,
      expected: 'empty (embedded chDB) or an http:// or https:// URL',
    }),
    user: str('NICSCOPE_CLICKHOUSE_USER', 'default', 'ClickHouse user'),
    password: str('NICSCOPE_CLICKHOUSE_PASSWORD', '', 'ClickHouse password'),
    database: str('NICSCOPE_CLICKHOUSE_DATABASE', 'nicscope', 'database name', {
      pattern: /^[A-Za-z_][A-Za-z0-9_]{0,63}$/,
      expected: 'an identifier: a letter or _, then letters, digits or _ (at most 64)',
    }),
    cluster: str('NICSCOPE_CLICKHOUSE_CLUSTER', '', 'cluster name for ON CLUSTER DDL (empty: single node)', {
      pattern: /^([A-Za-z_][A-Za-z0-9_]{0,63})?$/,
      expected: 'empty or an identifier',
    }),
    requestTimeoutMs: int('NICSCOPE_CLICKHOUSE_TIMEOUT_MS', 30_000, 100, 600_000, 'timeout of one ClickHouse request'),
  },
  storage: {
    flushRows: int('NICSCOPE_FLUSH_ROWS', 50_000, 1, 1_000_000, 'a batch is written when it holds this many rows'),
    flushIntervalMs: int(
      'NICSCOPE_FLUSH_INTERVAL_MS',
      5000,
      10,
      600_000,
      '… or when its oldest row is this old (the flow rollups: gathered this long)',
    ),
    spoolMaxMb: int('NICSCOPE_SPOOL_MAX_MB', 1024, 1, 1_048_576, 'disk spool cap while ClickHouse is away, MiB'),
    ttlRawDays: int('NICSCOPE_TTL_RAW_DAYS', 7, 1, 3650, 'days raw flows and frames are kept'),
    ttlRollupDays: int('NICSCOPE_TTL_ROLLUP_DAYS', 90, 1, 36500, 'days the 1-minute and 1-hour rollups are kept'),
    insertRetries: int(
      'NICSCOPE_INSERT_RETRIES',
      3,
      0,
      20,
      'quick insert retries (20 ms, 40 ms, …) before a batch goes to the spool',
    ),
  },
  ovs: {
    enabled: oneOf(
      'NICSCOPE_OVS',
      'auto',
      ['auto', 'on', 'off'],
      'read Open vSwitch: auto = when its run directory has a database socket',
    ),
    rundir: str('NICSCOPE_OVS_RUNDIR', '/var/run/openvswitch', 'OVS run directory (db.sock, ovs-vswitchd.pid)'),
    db: str('NICSCOPE_OVS_DB', '', 'OVSDB remote: unix:PATH or tcp:HOST:PORT (empty: unix:<rundir>/db.sock)', {
      pattern: /^(|unix:.+|tcp:[^:]+:\d+)$/,
      expected: 'empty, unix:PATH or tcp:HOST:PORT',
    }),
    intervalS: int('NICSCOPE_OVS_INTERVAL_S', 10, 1, 3600, 'OVS statistics sampling interval'),
    megaflowsTop: int('NICSCOPE_OVS_MEGAFLOWS_TOP', 20, 0, 10_000, 'megaflows kept per interval (top by packets)'),
    megaflowsMaxDump: int(
      'NICSCOPE_OVS_MEGAFLOWS_MAX_DUMP',
      20_000,
      0,
      1_000_000,
      'dump megaflows only while a datapath holds at most this many flows (0: never dump)',
    ),
    timeoutMs: int('NICSCOPE_OVS_TIMEOUT_MS', 5_000, 100, 120_000, 'longest wait for one OVSDB or vswitchd request'),
  },
  api: {
    enabled: bool('NICSCOPE_API', true, 'serve the REST and WebSocket API in this process'),
    host: str('NICSCOPE_API_HOST', '127.0.0.1', 'address the API listens on', {
      pattern: HOSTPORT,
      expected: 'a host name or IP address',
    }),
    port: int('NICSCOPE_API_PORT', 8470, 0, 65535, 'TCP port of the API'),
    cors: list('NICSCOPE_API_CORS', [], 'origins allowed by CORS (empty: CORS off)', {
      item: /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/,
      expected: 'a comma-separated list of origins like https://grafana.example:3000',
    }),
    rateLimit: int('NICSCOPE_API_RATE_LIMIT', 600, 1, 1_000_000, 'requests per minute per token'),
    maxRangeDays: int('NICSCOPE_API_MAX_RANGE_DAYS', 31, 1, 3650, 'longest time range one REST query may cover, days'),
    maxRows: int('NICSCOPE_API_MAX_ROWS', 10_000, 1, 1_000_000, 'most rows one REST query may return'),
  },
  live: {
    queueSize: int('NICSCOPE_LIVE_QUEUE', 4096, 16, 1_000_000, 'messages queued per WebSocket client before drops'),
    slowCloseMs: int(
      'NICSCOPE_LIVE_SLOW_CLOSE_MS',
      5000,
      100,
      600_000,
      'a WebSocket client whose queue stays full this long is closed',
    ),
    rawMaxBytes: int(
      'NICSCOPE_LIVE_RAW_MAX_BYTES',
      256,
      0,
      65_536,
      'captured bytes sent per frame when a subscription asks for raw',
    ),
    maxSubscriptions: int('NICSCOPE_LIVE_MAX_SUBSCRIPTIONS', 16, 1, 1024, 'subscriptions per WebSocket connection'),
    pingIntervalS: int(
      'NICSCOPE_LIVE_PING_S',
      30,
      1,
      3600,
      'WebSocket ping interval; a client missing two pongs is closed',
    ),
  },
} as const;

export type NicscopeConfig = ConfigOf<typeof SPEC>;
