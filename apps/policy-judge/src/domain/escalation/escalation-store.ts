import { EscalationNotFoundError, EscalationStateError } from '../errors.js';
import type { JudgedFinding } from '../finding.js';

export type EscalationStatus = 'PENDING' | 'APPROVED' | 'REJECTED';

/** One action held for human review. Holds only redacted content, never raw PII. */
export interface Escalation {
  escalationId: string;
  actionId: string;
  agentId: string;
  tenantId: string;
  findings: JudgedFinding[];
  redactedContent: string;
  status: EscalationStatus;
  createdAtMs: number;
  resolvedAtMs: number | null;
  resolvedBy: string | null;
  note: string | null;
}

/** Resolution of one escalation. */
export interface EscalationResolution {
  status: 'APPROVED' | 'REJECTED';
  by: string;
  note: string;
  nowMs: number;
}

/**
 * The review queue. `resolve` MUST be atomic and succeed once: resolving a missing id throws
 * EscalationNotFoundError, resolving an already resolved one throws EscalationStateError.
 */
export interface EscalationStore {
  create(e: Escalation): Promise<void>;
  get(id: string): Promise<Escalation | null>;
  /** Newest first; all when `status` is undefined. */
  list(status?: EscalationStatus): Promise<Escalation[]>;
  resolve(id: string, r: EscalationResolution): Promise<Escalation>;
}

/** Apply a resolution to a pending escalation (shared by the stores). */
export function applyResolution(e: Escalation | null, id: string, r: EscalationResolution): Escalation {
  if (!e) throw new EscalationNotFoundError(id);
  if (e.status !== 'PENDING') throw new EscalationStateError(`escalation ${id} is already ${e.status}`);
  return { ...e, status: r.status, resolvedAtMs: r.nowMs, resolvedBy: r.by, note: r.note };
}

/** In-process EscalationStore. */
export function createMemoryEscalationStore(): EscalationStore {
  const items = new Map<string, Escalation>();
  return {
    async create(e) {
      items.set(e.escalationId, e);
    },
    async get(id) {
      return items.get(id) ?? null;
    },
    async list(status) {
      return [...items.values()]
        .filter((e) => status === undefined || e.status === status)
        .sort((a, b) => b.createdAtMs - a.createdAtMs);
    },
    async resolve(id, r) {
      const next = applyResolution(items.get(id) ?? null, id, r);
      items.set(id, next);
      return next;
    },
  };
}
