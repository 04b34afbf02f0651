/** @nicscope/flow: bidirectional flow table with TCP metrics (no Nest, no I/O). */
export { FlowTable, KEY_RING, KW, hashKey, type FlowSink, type FlowTableOptions } from './table.js';
export { END_REASON_NAMES, EndReason, newFlowRecord, type FlowRecord } from './record.js';
export { flowToJson, flowToNdjson, type FlowJson } from './ndjson.js';
export { FramePipeline, type BatchLike } from './pipeline.js';
