import { Decision } from '@nethical/contracts';
import { describe, expect, it } from 'vitest';
import {
  actionRisk,
  decide,
  DECISION_ORDER,
  isFlagged,
  type DecisionInput,
} from '../src/domain/decision.js';
import type { DecisionName, Finding, SeverityName } from '../src/domain/finding.js';
import { shipped } from './helpers.js';

const f = (category: string, severity: SeverityName, confidence = 0.9): Finding => ({
  detector: 'test',
  category,
  severity,
  confidence,
  spans: [{ start: 0, end: 1 }],
  reason: 'test',
});

const base: DecisionInput = {
  findings: [],
  risk: 0,
  priorAgentRisk: 0,
  agentRisk: 0,
  quarantined: false,
  quarantineEnabled: true,
};

describe('decision mapping (policy decision section)', async () => {
  const { policy } = await shipped();
  const file = policy.file;
  const riskOf = (findings: Finding[]) => actionRisk(findings, file.scoring.severityWeights);
  const table: Array<[string, Partial<DecisionInput>, DecisionName]> = [
    ['no findings → ALLOW', {}, 'ALLOW'],
    ['LOW only → ALLOW', { findings: [f('obfuscation.homoglyph', 'LOW', 0.6)] }, 'ALLOW'],
    ['MEDIUM → WARN', { findings: [f('dark_pattern', 'MEDIUM', 0.7)] }, 'WARN'],
    ['HIGH confident → BLOCK', { findings: [f('jailbreak.persona', 'HIGH', 0.85)] }, 'BLOCK'],
    [
      'CRITICAL confident, clean agent → BLOCK',
      { findings: [f('dangerous_command.destructive', 'CRITICAL', 0.9)] },
      'BLOCK',
    ],
    [
      'PII only → ALLOW_WITH_MODIFICATION',
      { findings: [f('pii.email', 'LOW', 0.95), f('secret.aws_access_key', 'HIGH', 0.99)] },
      'ALLOW_WITH_MODIFICATION',
    ],
    [
      'PII + MEDIUM → WARN',
      { findings: [f('pii.email', 'LOW'), f('dark_pattern', 'MEDIUM', 0.7)] },
      'WARN',
    ],
    [
      'HIGH low-confidence in escalate category → ESCALATE',
      { findings: [f('model_extraction', 'HIGH', 0.55)] },
      'ESCALATE',
    ],
    [
      'HIGH low-confidence outside escalate categories → one severity lower (WARN)',
      { findings: [f('toxic.threat', 'HIGH', 0.5)] },
      'WARN',
    ],
    [
      'escalation candidate + confident HIGH → BLOCK',
      { findings: [f('model_extraction', 'HIGH', 0.55), f('jailbreak.persona', 'HIGH', 0.85)] },
      'BLOCK',
    ],
    [
      'risk ≥ blockAt without a HIGH → BLOCK',
      { findings: [f('a', 'MEDIUM', 0.9)], risk: 0.75 },
      'BLOCK',
    ],
    ['risk ≥ warnAt with LOWs → WARN', { findings: [f('a', 'LOW', 0.9)], risk: 0.4 }, 'WARN'],
    [
      'repeat offender: WARN → BLOCK',
      { findings: [f('dark_pattern', 'MEDIUM', 0.7)], priorAgentRisk: 0.6, agentRisk: 0.62 },
      'BLOCK',
    ],
    [
      'critical from risky agent → TERMINATE',
      {
        findings: [f('dangerous_command.destructive', 'CRITICAL', 0.9)],
        priorAgentRisk: 0.7,
        agentRisk: 0.9,
      },
      'TERMINATE',
    ],
    [
      'agent risk crosses quarantine threshold on a violation → QUARANTINE',
      { findings: [f('jailbreak.persona', 'HIGH', 0.85)], priorAgentRisk: 0.7, agentRisk: 0.82 },
      'QUARANTINE',
    ],
    ['high agent risk but clean action → ALLOW', { priorAgentRisk: 0.9, agentRisk: 0.9 }, 'ALLOW'],
    ['quarantined agent → QUARANTINE', { quarantined: true }, 'QUARANTINE'],
    [
      'quarantine flag off → never QUARANTINE',
      {
        findings: [f('jailbreak.persona', 'HIGH', 0.85)],
        agentRisk: 0.82,
        quarantined: true,
        quarantineEnabled: false,
      },
      'BLOCK',
    ],
  ];
  for (const [name, input, want] of table) {
    it(name, () => {
      const findings = input.findings ?? [];
      const out = decide({ ...base, risk: riskOf(findings), ...input }, file);
      expect(out.decision).toBe(want);
      expect(out.reasons.length > 0 || want === 'ALLOW').toBe(true);
    });
  }
  it('auto quarantine is requested only when it applies', () => {
    expect(
      decide({ ...base, findings: [f('x', 'HIGH')], risk: 0.7, agentRisk: 0.85 }, file)
        .quarantineNow,
    ).toBe(true);
    expect(
      decide({ ...base, findings: [f('x', 'HIGH')], risk: 0.7, agentRisk: 0.5 }, file)
        .quarantineNow,
    ).toBe(false);
  });
  it('ranks decisions in the order of nethical.common.v1.Decision, the one list the schema also uses', () => {
    const proto = Object.keys(Decision)
      .filter((k) => Number.isNaN(Number(k)) && k !== 'UNSPECIFIED')
      .sort((a, b) => Decision[a as keyof typeof Decision] - Decision[b as keyof typeof Decision]);
    expect([...DECISION_ORDER]).toEqual(proto);
  });

  it('flags WARN and stricter only', () => {
    expect(['ALLOW', 'ALLOW_WITH_MODIFICATION'].map((d) => isFlagged(d as DecisionName))).toEqual([
      false,
      false,
    ]);
    expect(
      ['WARN', 'BLOCK', 'QUARANTINE', 'ESCALATE', 'TERMINATE'].every((d) =>
        isFlagged(d as DecisionName),
      ),
    ).toBe(true);
  });
  it('action risk is a noisy-or that ignores PII/secret findings', () => {
    expect(riskOf([])).toBe(0);
    expect(riskOf([f('pii.email', 'HIGH', 1)])).toBe(0);
    const one = riskOf([f('a', 'HIGH', 1)]);
    expect(one).toBeCloseTo(file.scoring.severityWeights.HIGH);
    expect(riskOf([f('a', 'HIGH', 1), f('b', 'HIGH', 1)])).toBeCloseTo(1 - (1 - one) ** 2);
  });
});
