import { InvalidActionError } from './errors.js';
import { ACTION_TYPE_NAMES, type ActionTypeName } from './finding.js';
import type { JudgeInput } from './judge-types.js';

const ACTION_TYPES = new Set<ActionTypeName>(ACTION_TYPE_NAMES);

/** Reject malformed input with an error naming the field. Empty content is valid (nothing to judge). */
export function validateJudgeInput(input: JudgeInput): void {
  for (const field of ['actionId', 'agentId', 'tenantId'] as const) {
    const v = input[field];
    if (typeof v !== 'string' || v.length === 0) throw new InvalidActionError(field, 'must be a non-empty string');
    if (v.length > 256) throw new InvalidActionError(field, 'must be at most 256 characters');
  }
  if (!ACTION_TYPES.has(input.actionType)) {
    throw new InvalidActionError('actionType', `must be one of ${[...ACTION_TYPES].join(', ')}`);
  }
  if (typeof input.content !== 'string') throw new InvalidActionError('content', 'must be a string');
}
