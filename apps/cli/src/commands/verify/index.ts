export * from './offline-verify';
export { registerVerifyCommands } from './verify-commands';
