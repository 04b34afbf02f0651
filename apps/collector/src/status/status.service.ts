/** In a terminal: the live status table, refreshed every second (on stderr). Not a TTY: nothing (logs say it). */
import { Injectable } from '@nestjs/common';
import { CaptureService } from '../capture/capture.service';
import { StorageService } from '../storage/storage.service';
import { renderStatus, type StatusSnapshot } from './status-table';

@Injectable()
export class StatusService {
  private timer: NodeJS.Timeout | undefined;
  private prev: StatusSnapshot | undefined;
  ovsState = 'absent';

  constructor(
    private readonly capture: CaptureService,
    private readonly storage: StorageService,
  ) {}

  snapshot(): StatusSnapshot {
    const h = this.storage.isOpen ? this.storage.get().health() : undefined;
    return {
      at: Date.now(),
      interfaces: [...this.capture.captures.values()].map((st) => ({
        name: st.itf.name,
        kind: st.itf.kind,
        packets: st.stats?.packets ?? 0,
        bytes: st.stats?.bytes ?? 0,
        drops: (st.stats?.drop ?? 0) + (st.stats?.ifdrop ?? 0),
        flows: st.stats?.flowsActive ?? 0,
        malformed: st.stats?.malformed ?? 0,
        ...(st.error ? { error: st.error } : {}),
      })),
      rowsWritten: h?.rows_written ?? 0,
      spoolBytes: h?.spool_bytes ?? 0,
      insertErrors: h?.insert_errors ?? 0,
      ovs: this.ovsState,
    };
  }

  /** Starts the table when stderr is a terminal; returns whether it did. */
  start(header: string): boolean {
    if (!process.stderr.isTTY) return false;
    this.timer = setInterval(() => {
      const cur = this.snapshot();
      process.stderr.write(`\x1b[H\x1b[2J${header}\n\n${renderStatus(this.prev, cur)}\n`);
      this.prev = cur;
    }, 1000);
    this.timer.unref();
    return true;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
