import { createLiteralAutomaton, type LiteralAutomaton } from './literal-automaton.js';
import { requiredLiterals, type Requirement } from './required-literals.js';

/**
 * The literal prefilter of a policy's signals: one automaton pass over a view tells, for every
 * signal, whether its alternation can match there at all (see required-literals.ts). A signal
 * whose requirement fails is not scanned: by construction it has no match in that text, so
 * detection is unchanged; most prompts then need only a few of the policy's regex scans.
 *
 * The requirements are evaluated bottom-up from the literals found: a text with few of them
 * costs a few steps, however large the policy's formulas are.
 */
export interface SignalPrefilter {
  /**
   * Per pattern list given to `createSignalPrefilter` (in order): 1 when it may match `text`,
   * else 0. A compiled policy passes one list per signal, and one per pattern of a split signal
   * (see `CompiledSignal.unit` / `parts` and `signalPossible`).
   */
  possibleSignals(text: string): readonly number[];
}

/** The compiled formulas: all the prefilter keeps (build-time structures are left to the GC). */
interface Formulas {
  automaton: LiteralAutomaton;
  /** Per signal: 1 when some pattern has no requirement (always scanned). */
  always: number[];
  /** Literal l is in the leaves leafIds[leafStart[l] .. leafStart[l + 1]). */
  leafStart: Int32Array;
  leafIds: Int32Array;
  /** Per node: true children it needs (1 for leaves and 'or', all for 'and'). */
  need: Int32Array;
  parentStart: Int32Array;
  parentIds: Int32Array;
  /** Per node: the signal it decides, or -1. */
  signalOf: Int32Array;
}

/**
 * Compile the prefilter for signals given as lists of patterns (one list per signal, in order).
 * Signals flagged in `alwaysPossible` are not analysed (always possible). The compiled policy no
 * longer flags any: since equal formulas are shared, prefiltering the signals scanned only after
 * a gate fired costs less than the scans it skips (compile-policy.ts).
 */
export function createSignalPrefilter(
  signals: ReadonlyArray<readonly string[]>,
  alwaysPossible: ReadonlyArray<boolean> = [],
): SignalPrefilter {
  return prefilterOver(buildFormulas(signals, alwaysPossible));
}

function buildFormulas(
  signals: ReadonlyArray<readonly string[]>,
  alwaysPossible: ReadonlyArray<boolean>,
): Formulas {
  // Formula nodes: 'any' leaves (true when one of their literals occurs), 'or' and 'and' nodes.
  // Equal formulas share one node (interned by key), built children first: the request frame's
  // leaf of ~200 words, required by 168 patterns, was 168 leaves that every frame word found
  // visited; shared, a found word visits it once. On the labelled prompts: 11,430 nodes became
  // 4,673, node visits per prompt 2,400 became ~590, and possibleSignals ~85 µs became ~22 µs.
  const arity: number[] = []; // children needed: 1 for leaves and 'or', all of them for 'and'
  const parents: number[][] = [];
  const rootOf: number[] = []; // node → signal it decides, or -1
  const leavesOf = new Map<string, number[]>(); // literal → leaves containing it
  const interned = new Map<string, number>();
  const addNode = (need: number): number => {
    const id = arity.length;
    arity.push(need);
    parents.push([]);
    rootOf.push(-1);
    return id;
  };
  const add = (r: Requirement): number => {
    switch (r.op) {
      case 'true':
        throw new Error('unreachable: true is folded away before');
      case 'any': {
        const literals = [...new Set(r.literals)].sort();
        const key = `any:${JSON.stringify(literals)}`;
        let id = interned.get(key);
        if (id !== undefined) return id;
        id = addNode(1);
        interned.set(key, id);
        for (const lit of literals) {
          const list = leavesOf.get(lit) ?? [];
          list.push(id);
          leavesOf.set(lit, list);
        }
        return id;
      }
      case 'and':
      case 'or': {
        // A child shared twice counts once: it reports being true once.
        const children = [...new Set(r.of.map(add))].sort((a, b) => a - b);
        const key = `${r.op}:${children.join(',')}`;
        let id = interned.get(key);
        if (id !== undefined) return id;
        id = addNode(r.op === 'and' ? children.length : 1);
        interned.set(key, id);
        for (const child of children) parents[child]!.push(id);
        return id;
      }
    }
  };
  const always: number[] = new Array<number>(signals.length).fill(0);
  signals.forEach((patterns, index) => {
    if (alwaysPossible[index]) {
      always[index] = 1;
      return;
    }
    const reqs = patterns.map(requiredLiterals);
    // A signal matches when any of its patterns does. Its root is its own node (never shared):
    // a node decides one signal.
    if (reqs.some((r) => r.op === 'true')) always[index] = 1;
    else {
      const children = [...new Set(reqs.map(add))];
      const root = addNode(1);
      for (const child of children) parents[child]!.push(root);
      rootOf[root] = index;
    }
  });

  const literals = [...leavesOf.keys()];
  const automaton = createLiteralAutomaton(literals);
  const leafStart = new Int32Array(literals.length + 1);
  literals.forEach((lit, i) => (leafStart[i + 1] = leafStart[i]! + leavesOf.get(lit)!.length));
  const leafIds = Int32Array.from(literals.flatMap((lit) => leavesOf.get(lit)!));
  const need = Int32Array.from(arity);
  const parentStart = new Int32Array(arity.length + 1);
  parents.forEach((p, i) => (parentStart[i + 1] = parentStart[i]! + p.length));
  const parentIds = Int32Array.from(parents.flat());
  const signalOf = Int32Array.from(rootOf);
  return { automaton, always, leafStart, leafIds, need, parentStart, parentIds, signalOf };
}

function prefilterOver(formulas: Formulas): SignalPrefilter {
  const { automaton, always, leafStart, leafIds, need, parentStart, parentIds, signalOf } =
    formulas;
  // Scratch state, reset after every call (calls are synchronous, so never interleaved).
  const present = new Uint8Array(automaton.size);
  const found: number[] = [];
  const have = new Int32Array(need.length); // true children so far
  const touched = new Int32Array(need.length); // nodes whose `have` is not 0
  // Every node is pushed at most once per child, so the stack never holds more than all edges.
  const stack = new Int32Array(leafIds.length + parentIds.length + 1);

  return {
    possibleSignals(text) {
      const out = always.slice();
      automaton.mark(text, present, found);
      let touchedCount = 0;
      for (let f = 0; f < found.length; f++) {
        const lit = found[f]!;
        present[lit] = 0;
        let top = 0;
        for (let k = leafStart[lit]!; k < leafStart[lit + 1]!; k++) stack[top++] = leafIds[k]!;
        // Each popped node has one more true child (for a leaf: one of its literals).
        while (top > 0) {
          const n = stack[--top]!;
          if (have[n] === 0) touched[touchedCount++] = n;
          if (++have[n]! !== need[n]) continue; // not yet true, or already true before
          const signal = signalOf[n]!;
          if (signal >= 0) out[signal] = 1;
          for (let k = parentStart[n]!; k < parentStart[n + 1]!; k++) stack[top++] = parentIds[k]!;
        }
      }
      for (let t = 0; t < touchedCount; t++) have[touched[t]!] = 0;
      found.length = 0;
      return out;
    },
  };
}
