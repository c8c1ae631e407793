import { Gauge, type Registry } from 'prom-client';

/** What the Merkle instruments read on each scrape. */
export interface MerkleTelemetrySource {
  /** Leaves in the committed tree. */
  treeSize(): number;
  /** The latest signed checkpoint. */
  latestCheckpoint(): { size: number; createdAtMs: number };
  /** Whether the audit-log tail is connected. */
  following(): boolean;
}

/**
 * merkle-anchor's instruments, read on scrape. The anchoring lag is
 * `nethical_audit_next_sequence - nethical_merkle_tree_size` (audit-store and this service).
 */
export function createMerkleTelemetry(registry: Registry, source: MerkleTelemetrySource): void {
  const registers = [registry];
  new Gauge({
    name: 'nethical_merkle_tree_size',
    help: 'Leaves (audit records) in the committed Merkle tree.',
    registers,
    collect() {
      this.set(source.treeSize());
    },
  });
  new Gauge({
    name: 'nethical_merkle_checkpoint_size',
    help: 'Tree size of the latest signed checkpoint.',
    registers,
    collect() {
      this.set(source.latestCheckpoint().size);
    },
  });
  new Gauge({
    name: 'nethical_merkle_checkpoint_timestamp_seconds',
    help: 'When the latest checkpoint was signed, seconds since the Unix epoch.',
    registers,
    collect() {
      this.set(source.latestCheckpoint().createdAtMs / 1000);
    },
  });
  new Gauge({
    name: 'nethical_merkle_follower_connected',
    help: '1 while the audit-log tail is connected, 0 while it reconnects.',
    registers,
    collect() {
      this.set(source.following() ? 1 : 0);
    },
  });
}
