import { ActionType } from '@nethical/contracts';

/** Action types as the model sees them (lower-case names of `nethical.common.v1.ActionType`). */
export type ActionTypeName =
  | 'message'
  | 'response'
  | 'tool_call'
  | 'code_execution'
  | 'data_access'
  | 'system_command'
  | 'external_api'
  | 'file_operation';

/** Every action type name, in proto enum order. */
export const ACTION_TYPE_NAMES: readonly ActionTypeName[] = [
  'message',
  'response',
  'tool_call',
  'code_execution',
  'data_access',
  'system_command',
  'external_api',
  'file_operation',
];

const BY_ENUM: Record<number, ActionTypeName> = {
  [ActionType.MESSAGE]: 'message',
  [ActionType.RESPONSE]: 'response',
  [ActionType.TOOL_CALL]: 'tool_call',
  [ActionType.CODE_EXECUTION]: 'code_execution',
  [ActionType.DATA_ACCESS]: 'data_access',
  [ActionType.SYSTEM_COMMAND]: 'system_command',
  [ActionType.EXTERNAL_API]: 'external_api',
  [ActionType.FILE_OPERATION]: 'file_operation',
};

/**
 * Maps the proto enum to the model's name. UNSPECIFIED (and any value a newer client sends that
 * this build does not know) is treated as `message`, the proto's documented default.
 */
export function actionTypeName(type: ActionType): ActionTypeName {
  return BY_ENUM[type] ?? 'message';
}
