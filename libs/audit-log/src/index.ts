/**
 * @nethical/audit-log — the append-only audit trail of Nethical: schema and migrations, the
 * group-commit writer, canonical leaves, queries, retention and least-privilege roles.
 */
export * from './audit-log';
export * from './canonical-leaf';
export * from './clock';
export * from './errors';
export type { AppendResult } from './group-commit-writer';
export * from './partitions';
export * from './queries';
export {
  RECORD_COLUMNS,
  insertRecordsSql,
  normaliseIncoming,
  recordBody,
  recordToInsertJson,
  rowToRecord,
  type RecordRow,
} from './record-row';
export * from './record-body';
export * from './schema';
export * from './timestamps';
export * from './roles';
export * as auditTesting from './test-support';
export * from './verify';
export * from './archive-files';
export * from './retention';
