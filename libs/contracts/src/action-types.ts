import { ActionType } from './gen/nethical/common/v1/common_pb';

/**
 * The lower-case names of `nethical.common.v1.ActionType` (without UNSPECIFIED), in enum order:
 * how the judge's policies, the ML model and the JSON API name action types. One list for every
 * service; action-types.test.ts checks it against the generated enum.
 */
export const ACTION_TYPE_NAMES = [
  'message',
  'response',
  'tool_call',
  'code_execution',
  'data_access',
  'system_command',
  'external_api',
  'file_operation',
] as const;
export type ActionTypeName = (typeof ACTION_TYPE_NAMES)[number];

/**
 * The name of an enum value. UNSPECIFIED (and any value a newer client sends that this build does
 * not know) is `message`, the proto's documented default.
 */
export function actionTypeName(type: ActionType): ActionTypeName {
  return type >= ActionType.MESSAGE && type <= ACTION_TYPE_NAMES.length ? ACTION_TYPE_NAMES[type - 1]! : 'message';
}
