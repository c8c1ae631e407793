import type { CompiledPolicy } from './compile-policy.js';

/**
 * Holds the current compiled policy. A reload swaps the reference in one assignment, so a
 * judgment in flight keeps the policy it started with and no request is dropped or sees a
 * half-built policy.
 */
export interface PolicyHandle {
  current(): CompiledPolicy;
  swap(next: CompiledPolicy): CompiledPolicy;
}

/** Create a handle starting at `initial`. */
export function createPolicyHandle(initial: CompiledPolicy): PolicyHandle {
  let policy = initial;
  return {
    current: () => policy,
    swap(next) {
      const previous = policy;
      policy = next;
      return previous;
    },
  };
}
