import { createLiteralAutomaton } from './literal-automaton.js';
import { requiredLiterals, type Requirement } from './required-literals.js';

/**
 * The literal prefilter of a policy's signals: one automaton pass over a view tells, for every
 * signal, whether its alternation can match there at all (see required-literals.ts). A signal
 * whose requirement fails is not scanned: by construction it has no match in that text, so
 * detection is unchanged; most prompts then need only a few of the policy's regex scans.
 */
export interface SignalPrefilter {
  /** Which literals occur in `text` (pass the result to `possible`). */
  literalsIn(text: string): Uint8Array;
  /** Whether signal number `index` (its position in `signals`) may match a text with `present` literals. */
  possible(index: number, present: Uint8Array): boolean;
}

type Check = (present: Uint8Array) => boolean;

/** Compile the prefilter for signals given as lists of patterns (one list per signal, in order). */
export function createSignalPrefilter(signals: ReadonlyArray<readonly string[]>): SignalPrefilter {
  const ids = new Map<string, number>();
  const idOf = (lit: string): number => {
    let id = ids.get(lit);
    if (id === undefined) ids.set(lit, (id = ids.size));
    return id;
  };
  const always: Check = () => true;
  const compile = (r: Requirement): Check => {
    switch (r.op) {
      case 'true':
        return always;
      case 'any': {
        const lits = Int32Array.from(r.literals, idOf);
        return (present) => {
          for (let i = 0; i < lits.length; i++) if (present[lits[i]!] === 1) return true;
          return false;
        };
      }
      case 'and': {
        const parts = r.of.map(compile);
        return (present) => parts.every((p) => p(present));
      }
      case 'or': {
        const parts = r.of.map(compile);
        return (present) => parts.some((p) => p(present));
      }
    }
  };
  // A signal matches when any of its patterns does.
  const checks = signals.map((patterns) => {
    const reqs = patterns.map(requiredLiterals);
    return reqs.some((r) => r.op === 'true') ? always : compile({ op: 'or', of: reqs });
  });
  const automaton = createLiteralAutomaton([...ids.keys()]);
  return {
    literalsIn(text) {
      const present = new Uint8Array(automaton.size);
      automaton.mark(text, present);
      return present;
    },
    possible: (index, present) => checks[index]!(present),
  };
}
