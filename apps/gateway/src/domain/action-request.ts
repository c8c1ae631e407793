import { ActionType } from '@nethical/contracts';
import { InvalidArgumentError, PayloadTooLargeError } from '@nethical/platform';

/** A validated action request, whatever protocol it came in on. */
export interface ActionRequest {
  agentId: string;
  action: string;
  actionType: ActionType;
  /** Empty when the caller gave none (one is generated). */
  actionId: string;
  context: Record<string, unknown> | undefined;
  cohort: string;
  regionId: string;
  tenantId: string;
}

/** Action type names accepted on the JSON route: `tool_call`, `TOOL_CALL` or `ACTION_TYPE_TOOL_CALL`. */
export const actionTypeNames: Record<string, ActionType> = Object.fromEntries(
  Object.entries(ActionType)
    .filter(([k, v]) => typeof v === 'number' && k !== 'UNSPECIFIED')
    .map(([k, v]) => [k.toLowerCase(), v as ActionType]),
);
/** Older clients say `query` / `function_call` / `command`; keep them working. */
const aliases: Record<string, ActionType> = {
  query: ActionType.MESSAGE,
  prompt: ActionType.MESSAGE,
  function_call: ActionType.TOOL_CALL,
  tool: ActionType.TOOL_CALL,
  code: ActionType.CODE_EXECUTION,
  command: ActionType.SYSTEM_COMMAND,
  output: ActionType.RESPONSE,
};

export function parseActionType(value: unknown): ActionType {
  if (value === undefined || value === null || value === '') return ActionType.MESSAGE;
  if (typeof value !== 'string') throw new InvalidArgumentError('action_type', 'must be a string');
  const key = value.trim().toLowerCase().replace(/^action_type_/, '');
  const t = actionTypeNames[key] ?? aliases[key];
  if (t === undefined) {
    throw new InvalidArgumentError(
      'action_type',
      `unknown value ${JSON.stringify(value.slice(0, 64))}; expected one of ${Object.keys(actionTypeNames).join(', ')}`,
    );
  }
  return t;
}

const ID_PATTERN = /^[\w.:@/+=-]{1,128}$/;
const CONTROL = /[\u0000-\u001f\u007f]/;

export interface ValidationLimits {
  maxPayloadBytes: number;
  defaultRegion: string;
  defaultTenant: string;
}

/** A text field of at most `max` characters and no control characters (a NUL never reaches PostgreSQL). */
export function checkedText(field: string, value: string, max: number): string {
  if (value.length > max) throw new InvalidArgumentError(field, `must be at most ${max} characters`);
  if (CONTROL.test(value)) throw new InvalidArgumentError(field, 'must not contain control characters');
  return value;
}

function optionalString(field: string, value: unknown, max: number): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw new InvalidArgumentError(field, 'must be a string');
  return checkedText(field, value, max);
}

const MAX_CONTEXT_DEPTH = 32;

function checkDepth(value: unknown, depth: number): void {
  if (depth > MAX_CONTEXT_DEPTH) {
    throw new InvalidArgumentError('context', `is nested deeper than ${MAX_CONTEXT_DEPTH} levels`);
  }
  if (value && typeof value === 'object') {
    for (const v of Object.values(value as Record<string, unknown>)) checkDepth(v, depth + 1);
  }
}

/**
 * The region an action is governed in is the gateway's own (`NETHICAL_REGION_ID`), never the
 * client's choice: `region_id` scopes quota, audit and residency, so a client free to name any
 * region opened fresh rate-limit buckets with every new value and wrote records "in" regions
 * that never served them. A request may still name the region (it is checked); naming another
 * is refused with the field named, so a misrouted client learns where it is.
 */
function ownRegion(requested: string, own: string): string {
  if (requested && requested !== own) {
    throw new InvalidArgumentError(
      'region_id',
      `this gateway serves region ${JSON.stringify(own)}, not ${JSON.stringify(requested.slice(0, 64))}; send the action to that region's gateway or omit region_id`,
    );
  }
  return own;
}

/**
 * Validate one action at the edge: every rule lives here, so gRPC, Connect and the JSON route
 * reject the same input with the same message naming the field.
 */
export function validateActionRequest(input: Record<string, unknown>, limits: ValidationLimits): ActionRequest {
  const agentId = input.agent_id;
  if (agentId === undefined || agentId === null || agentId === '') {
    throw new InvalidArgumentError('agent_id', 'is required');
  }
  if (typeof agentId !== 'string') throw new InvalidArgumentError('agent_id', 'must be a string');
  if (agentId.length > 256) throw new InvalidArgumentError('agent_id', 'must be at most 256 characters');
  if (CONTROL.test(agentId) || agentId.trim() === '') {
    throw new InvalidArgumentError('agent_id', 'must be printable and not blank');
  }
  const action = input.action;
  if (action === undefined || action === null) throw new InvalidArgumentError('action', 'is required');
  if (typeof action !== 'string') throw new InvalidArgumentError('action', 'must be a string');
  if (action.trim() === '') throw new InvalidArgumentError('action', 'must not be empty');
  const bytes = Buffer.byteLength(action, 'utf8');
  if (bytes > limits.maxPayloadBytes) throw new PayloadTooLargeError('action', limits.maxPayloadBytes, bytes);
  if (!action.isWellFormed()) throw new InvalidArgumentError('action', 'contains unpaired surrogates (not valid Unicode)');
  const actionId = optionalString('action_id', input.action_id, 128);
  if (actionId && !ID_PATTERN.test(actionId)) {
    throw new InvalidArgumentError('action_id', 'may contain only letters, digits and ._:@/+=- (1..128)');
  }
  const context = input.context;
  if (context !== undefined && context !== null && (typeof context !== 'object' || Array.isArray(context))) {
    throw new InvalidArgumentError('context', 'must be a JSON object');
  }
  if (context) checkDepth(context, 1);
  return {
    agentId,
    action,
    actionType: parseActionType(input.action_type),
    actionId,
    context: (context ?? undefined) as Record<string, unknown> | undefined,
    cohort: optionalString('cohort', input.cohort, 128),
    regionId: ownRegion(optionalString('region_id', input.region_id, 64), limits.defaultRegion),
    tenantId: optionalString('tenant_id', input.tenant_id, 128) || limits.defaultTenant,
  };
}
