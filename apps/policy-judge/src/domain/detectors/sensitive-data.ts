import type { Finding, RedactionPolicy, SensitiveEntity } from '../finding.js';
import type { CompiledPolicy } from '../policy/compile-policy.js';
import { detectPii } from '../pii/index.js';
import { redact } from '../pii/redact.js';
import { detectSecrets } from '../secrets/index.js';

/** What redaction returns (the PII helper's `redact`). */
export interface RedactionResult {
  text: string;
  replacements: Array<{ type: string; start: number; end: number; placeholder: string }>;
}

/**
 * The PII/secret detection and redaction the judge uses. Implemented by
 * `domain/pii` + `domain/secrets` (another module); `loadSensitiveDataPort()` binds them.
 */
export interface SensitiveDataPort {
  detectPii(text: string, options?: { policy?: RedactionPolicy }): SensitiveEntity[];
  detectSecrets(text: string): SensitiveEntity[];
  redact(text: string, entities: SensitiveEntity[], policy: RedactionPolicy): RedactionResult;
}

/** Bind the real PII/secrets modules (`domain/pii`, `domain/secrets`). */
export async function loadSensitiveDataPort(): Promise<SensitiveDataPort> {
  return { detectPii, detectSecrets, redact };
}

/** Turn entities into findings: category `pii.<type>` / `secret.<type>`, severity from the policy. */
export function sensitiveFindings(entities: SensitiveEntity[], policy: CompiledPolicy): Finding[] {
  return entities.map((e) => ({
    detector: e.kind === 'pii' ? 'pii' : 'secrets',
    category: `${e.kind}.${e.type.toLowerCase()}`,
    severity: policy.severityOf(e.kind, e.type),
    confidence: e.confidence,
    spans: [{ start: e.start, end: e.end }],
    reason: e.kind === 'pii' ? `personal data (${e.type}) in content` : `credential (${e.type}) in content`,
  }));
}
