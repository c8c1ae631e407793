import { timestampDate, type Timestamp } from '@bufbuild/protobuf/wkt';
import { ActionType, Decision, Severity } from '@nethical/contracts';
import { toHex } from './verify/bytes';
import { h } from './dom';

/** `BLOCK`, `ALLOW_WITH_MODIFICATION`, … */
export const decisionName = (d: Decision) => Decision[d] ?? `DECISION_${d}`;
export const severityName = (s: Severity) => Severity[s] ?? String(s);
export const actionTypeLabel = (t: ActionType) => (ActionType[t] ?? String(t)).toLowerCase();

/** Decisions that stop the action (shown in red). */
const stopping = new Set([Decision.BLOCK, Decision.QUARANTINE, Decision.TERMINATE]);

/** A decision badge; colour is never the only signal (the name is always written). */
export function decisionBadge(d: Decision): HTMLElement {
  const tone = stopping.has(d) ? 'bad' : d === Decision.ALLOW ? 'good' : 'warn';
  return h('span', { class: `badge ${tone}` }, decisionName(d));
}

export const time = (t: Timestamp | undefined) =>
  t
    ? timestampDate(t)
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, 'Z')
    : '—';
export const hex = (b: Uint8Array) => (b.length ? toHex(b) : '—');
export const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
export const ms = (x: number) => (x >= 100 ? `${x.toFixed(0)} ms` : `${x.toFixed(1)} ms`);
