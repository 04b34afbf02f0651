/** Open vSwitch: OVSDB and vswitchd control clients, appctl text parsers, sampler, port mapping. */
export { parseJson, stringifyJson, JsonStreamFramer, OvsJsonError, type JsonValue } from './rpc/json.js';
export {
  JsonRpcConnection,
  JsonRpcError,
  ConnectionClosedError,
  parseRemote,
  remoteToString,
  type Remote,
} from './rpc/jsonrpc.js';
export * from './parsers/dpctl-show.js';
export * from './parsers/pmd-stats.js';
export * from './parsers/dump-flows.js';
export * from './parsers/upcall-show.js';
export * from './parsers/coverage-show.js';
export * from './ovsdb/datum.js';
export * from './ovsdb/ovsdb-client.js';
export * from './unixctl/vswitchd-control.js';
export * from './sampler/types.js';
export * from './sampler/mapping.js';
export * from './sampler/sampler.js';
export * from './source.js';
