import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/** One row of the per-request CSV: the seed's columns plus `decision` and `category`. */
export interface RequestRow {
  agent_id: string;
  action_id: string;
  /** ISO time of the request's SCHEDULED start. */
  timestamp: string;
  latency_ms: number;
  status: string;
  error: string;
  violation_detected: boolean;
  decision: string;
  category: string;
}

/** Column order of the CSV header. */
export const csvColumns: readonly (keyof RequestRow)[] = [
  'agent_id',
  'action_id',
  'timestamp',
  'latency_ms',
  'status',
  'error',
  'violation_detected',
  'decision',
  'category',
];

/**
 * Quote a field when needed (RFC 4180) and defuse spreadsheet formulas: a text field starting
 * with `= + - @`, tab or CR gets a leading apostrophe, as the seed's generator did.
 */
export function csvField(value: string | number | boolean): string {
  if (typeof value !== 'string') return String(value);
  let text = value;
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One CSV line (with trailing newline) for a row. */
export function formatCsvRow(row: RequestRow): string {
  return `${csvColumns.map((c) => csvField(row[c])).join(',')}\n`;
}

/** Streams rows to a file; rows are batched into few large writes, never all held in memory. */
export interface CsvWriter {
  write(row: RequestRow): void;
  /** Flush and close; resolves when the file is complete on disk. */
  close(): Promise<void>;
}

/** Open `path` (creating its folder) and write the header. */
export function openCsvWriter(path: string, batchRows = 512): CsvWriter {
  mkdirSync(dirname(path), { recursive: true });
  const stream = createWriteStream(path, { encoding: 'utf8' });
  let failure: Error | undefined;
  stream.on('error', (error) => {
    failure = error;
  });
  let batch: string[] = [csvColumns.join(',') + '\n'];
  const flush = (): void => {
    if (batch.length === 0) return;
    // Backpressure is ignored on purpose: the open loop must not wait for the disk. The stream
    // buffers; at ~150 bytes a row even 10^5 unflushed rows are 15 MB.
    stream.write(batch.join(''));
    batch = [];
  };
  return {
    write(row) {
      if (failure) throw failure;
      batch.push(formatCsvRow(row));
      if (batch.length >= batchRows) flush();
    },
    close() {
      flush();
      return new Promise((resolve, reject) => {
        if (failure) return reject(failure);
        stream.once('error', reject);
        stream.end(() => (failure ? reject(failure) : resolve()));
      });
    },
  };
}
