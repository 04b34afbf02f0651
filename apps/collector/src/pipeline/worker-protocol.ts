/** Messages between the collector's main thread and its capture workers (one worker per interface). */
import { type FrameSummary } from '@nicscope/packet';

export interface WorkerInit {
  device: string;
  /** Index the flow records carry for this interface (the inventory's ifindex). */
  ifindex: number;
  /** The interface's MAC ("aa:bb:…"), for the receive-mode class; null when it has none. */
  mac: string | null;
  promisc: boolean;
  snaplen: number;
  bufferSize: number;
  timeoutMs: number;
  immediate: boolean;
  filter: string;
  flow: { maxFlows: number; idleTimeoutS: number; activeTimeoutS: number; interimS: number };
  /** Keep 1 frame summary in N (0: none). */
  sampleRate: number;
  /** How often flows and counters are posted to the main thread. */
  reportMs: number;
  /** Int32 [0]: number of live frame subscribers; > 0 makes the worker post raw batches. */
  live: SharedArrayBuffer;
}

export interface WorkerStats {
  recv: number;
  drop: number;
  ifdrop: number;
  packets: number;
  bytes: number;
  malformed: number;
  flowsActive: number;
  flowsCreated: number;
  evictions: number;
  /** Frames per receive class (RX_CLASS_NAMES order). */
  rxClasses: number[];
}

export type WorkerMessage =
  | { type: 'ready'; linkType: number; warning: string }
  | { type: 'flows'; slots: Float64Array; count: number }
  | { type: 'frames'; frames: FrameSummary[]; sampleRate: number }
  | { type: 'stats'; stats: WorkerStats }
  | { type: 'live'; buf: Uint8Array; count: number; linkType: number }
  | { type: 'error'; message: string; fatal: boolean }
  | { type: 'stopped' };

/** stop: end the capture; recycle: a flows buffer the main thread is done with, for reuse (fresh memory costs page faults). */
export type MainMessage = { type: 'stop' } | { type: 'recycle'; slots: Float64Array };
