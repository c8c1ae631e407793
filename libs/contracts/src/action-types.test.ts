import { describe, expect, it } from 'vitest';
import { ACTION_TYPE_NAMES, actionTypeName } from './action-types';
import { ActionType } from './gen/nethical/common/v1/common_pb';

describe('action type names', () => {
  it('are the generated enum names in enum order, lower-cased, without UNSPECIFIED', () => {
    const fromEnum = Object.entries(ActionType)
      .filter(([k, v]) => typeof v === 'number' && k !== 'UNSPECIFIED')
      .sort(([, a], [, b]) => (a as number) - (b as number))
      .map(([k]) => k.toLowerCase());
    expect([...ACTION_TYPE_NAMES]).toEqual(fromEnum);
    for (const name of ACTION_TYPE_NAMES) expect(actionTypeName(ActionType[name.toUpperCase() as keyof typeof ActionType])).toBe(name);
  });
  it('maps UNSPECIFIED and unknown values to message', () => {
    expect(actionTypeName(ActionType.UNSPECIFIED)).toBe('message');
    expect(actionTypeName(99 as ActionType)).toBe('message');
  });
});
