import { ActionType } from '@nethical/contracts';
import { InvalidArgumentError, PayloadTooLargeError } from '@nethical/platform';
import { describe, expect, it } from 'vitest';
import { validateActionRequest } from '../src/domain/action-request';

const limits = { maxPayloadBytes: 100, defaultRegion: 'r1', defaultTenant: 't1' };
const fieldOf = (input: Record<string, unknown>) => {
  try {
    validateActionRequest(input, limits);
  } catch (err) {
    if (err instanceof InvalidArgumentError || err instanceof PayloadTooLargeError) return err.field;
    throw err;
  }
  return undefined;
};

describe('validateActionRequest', () => {
  it('accepts a minimal action and fills defaults', () => {
    const r = validateActionRequest({ agent_id: 'a', action: 'hello' }, limits);
    expect(r).toMatchObject({ agentId: 'a', action: 'hello', actionType: ActionType.MESSAGE, regionId: 'r1', tenantId: 't1', actionId: '' });
  });

  it('governs every action in the gateway\'s own region: region_id may name it, never another', () => {
    expect(validateActionRequest({ agent_id: 'a', action: 'x', region_id: 'r1' }, limits).regionId).toBe('r1');
    expect(validateActionRequest({ agent_id: 'a', action: 'x' }, limits).regionId).toBe('r1');
    for (const other of ['r2', 'R1', 'r1 ', 'us-east-1']) {
      expect(() => validateActionRequest({ agent_id: 'a', action: 'x', region_id: other }, limits)).toThrow(/^region_id: this gateway serves region "r1"/);
      expect(fieldOf({ agent_id: 'a', action: 'x', region_id: other })).toBe('region_id');
    }
  });

  it('reads action types in every accepted spelling', () => {
    for (const t of ['tool_call', 'TOOL_CALL', 'ACTION_TYPE_TOOL_CALL', 'function_call']) {
      expect(validateActionRequest({ agent_id: 'a', action: 'x', action_type: t }, limits).actionType).toBe(ActionType.TOOL_CALL);
    }
  });

  it.each([
    [{ action: 'x' }, 'agent_id'],
    [{ agent_id: '', action: 'x' }, 'agent_id'],
    [{ agent_id: 7, action: 'x' }, 'agent_id'],
    [{ agent_id: 'a\u0000b', action: 'x' }, 'agent_id'],
    [{ agent_id: 'a'.repeat(257), action: 'x' }, 'agent_id'],
    [{ agent_id: 'a' }, 'action'],
    [{ agent_id: 'a', action: '   ' }, 'action'],
    [{ agent_id: 'a', action: ['x'] }, 'action'],
    [{ agent_id: 'a', action: 'x'.repeat(101) }, 'action'],
    [{ agent_id: 'a', action: '\ud800' }, 'action'],
    [{ agent_id: 'a', action: 'x', action_type: 'teleport' }, 'action_type'],
    [{ agent_id: 'a', action: 'x', action_type: 3 }, 'action_type'],
    [{ agent_id: 'a', action: 'x', action_id: 'has space' }, 'action_id'],
    [{ agent_id: 'a', action: 'x', context: 'str' }, 'context'],
    [{ agent_id: 'a', action: 'x', cohort: 5 }, 'cohort'],
  ])('rejects %j naming %s', (input, field) => {
    expect(fieldOf(input)).toBe(field);
  });

  it('bounds context nesting', () => {
    let deep: Record<string, unknown> = {};
    const root = deep;
    for (let i = 0; i < 40; i++) {
      deep.next = {};
      deep = deep.next as Record<string, unknown>;
    }
    expect(fieldOf({ agent_id: 'a', action: 'x', context: root })).toBe('context');
  });

  it('counts the payload limit in UTF-8 bytes', () => {
    expect(fieldOf({ agent_id: 'a', action: 'é'.repeat(50) })).toBeUndefined();
    expect(fieldOf({ agent_id: 'a', action: 'é'.repeat(51) })).toBe('action');
  });
});
