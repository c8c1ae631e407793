import { describe, expect, it } from 'vitest';
import {
  actionCategories,
  createActionGenerator,
  defaultMix,
  formatMix,
  InvalidMixError,
  parseMix,
  type LoadAction,
} from './action-generator';
import { isLuhnValid } from './luhn';

const take = (seed: number, count: number, agents: number, runId = 'run'): LoadAction[] => {
  const generator = createActionGenerator({ seed, runId });
  return Array.from({ length: count }, (_, i) => generator.next(i % agents));
};

describe('action generator', () => {
  it('never repeats a text or an action id', () => {
    const actions = take(1, 20_000, 37);
    expect(new Set(actions.map((a) => a.text)).size).toBe(actions.length);
    expect(new Set(actions.map((a) => a.actionId)).size).toBe(actions.length);
  });

  it('follows the mix ratios and is about 20 % risky by default', () => {
    const actions = take(2, 20_000, 100);
    for (const category of actionCategories) {
      const share = actions.filter((a) => a.category === category).length / actions.length;
      expect(Math.abs(share - defaultMix[category])).toBeLessThan(0.015);
    }
    const risky = actions.filter((a) => a.risky).length / actions.length;
    expect(risky).toBeGreaterThan(0.19);
    expect(risky).toBeLessThan(0.25);
    // Tool calls are mostly benign.
    const tools = actions.filter((a) => a.category === 'tool');
    expect(tools.filter((a) => a.risky).length / tools.length).toBeLessThan(0.15);
  });

  it('honours a custom mix, including categories weighted 0', () => {
    const generator = createActionGenerator({ seed: 3, runId: 'r', mix: parseMix('attack=1') });
    const actions = Array.from({ length: 500 }, (_, i) => generator.next(i));
    expect(
      actions.every((a) => a.category === 'attack' && a.risky && a.actionType === 'message'),
    ).toBe(true);
  });

  it('is deterministic by seed, per agent, whatever the interleaving', () => {
    expect(take(7, 300, 5)).toEqual(take(7, 300, 5));
    expect(take(8, 300, 5).map((a) => a.text)).not.toEqual(take(7, 300, 5).map((a) => a.text));
    // Agent 3's stream is the same whether agents interleave or agent 3 runs alone.
    const interleaved = take(7, 500, 5)
      .filter((a) => a.agentId === 'load-agent-3')
      .map((a) => a.text);
    const alone = createActionGenerator({ seed: 7, runId: 'run' });
    expect(Array.from({ length: interleaved.length }, () => alone.next(3).text)).toEqual(
      interleaved,
    );
  });

  it('keeps each agent identity and prefixes action ids with the run id', () => {
    const actions = take(4, 30, 3, 'run-42');
    expect(actions[4]?.agentId).toBe('load-agent-1');
    expect(actions.every((a) => a.actionId.startsWith('run-42-'))).toBe(true);
  });

  it('spreads agents over tenants only when asked', () => {
    expect(take(4, 3, 3).every((a) => a.tenantId === undefined)).toBe(true);
    const generator = createActionGenerator({ seed: 4, runId: 'run', tenants: 2 });
    expect([0, 1, 2, 3].map((i) => generator.next(i).tenantId)).toEqual([
      'load-tenant-0',
      'load-tenant-1',
      'load-tenant-0',
      'load-tenant-1',
    ]);
  });

  it('puts Luhn-valid card numbers in PII texts', () => {
    const cards = take(5, 5_000, 10)
      .filter((a) => a.category === 'pii')
      .flatMap((a) => a.text.match(/\b\d{4} \d{4,6} \d{4,5}(?: \d{4})?\b/g) ?? []);
    expect(cards.length).toBeGreaterThan(100);
    expect(cards.filter((c) => !isLuhnValid(c))).toEqual([]);
  });

  it('gives tool calls tool action types', () => {
    const tools = take(6, 2_000, 10).filter((a) => a.category === 'tool');
    expect(new Set(tools.map((a) => a.actionType))).toEqual(
      new Set(['tool_call', 'system_command', 'data_access']),
    );
  });
});

describe('parseMix', () => {
  it('normalises weights and fills missing categories with 0', () => {
    expect(parseMix('benign=3, attack=1')).toEqual({ benign: 0.75, tool: 0, pii: 0, attack: 0.25 });
    expect(parseMix(formatMix(defaultMix))).toEqual(defaultMix);
  });

  it.each(['benign', 'nice=1', 'benign=-1', 'benign=x', 'benign=0', 'benign=1=2'])(
    'rejects %s',
    (text) => {
      expect(() => parseMix(text)).toThrow(InvalidMixError);
    },
  );
});
