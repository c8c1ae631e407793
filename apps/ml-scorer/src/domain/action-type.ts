/** Action types as the model sees them: the shared lower-case names of `nethical.common.v1.ActionType`. */
export { ACTION_TYPE_NAMES, actionTypeName, type ActionTypeName } from '@nethical/contracts';
