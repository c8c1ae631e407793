/**
 * A multi-literal matcher (Aho–Corasick, as a dense DFA over a small alphabet): one pass over a
 * text marks every literal that occurs in it, ASCII letters matched case-insensitively, and
 * U+0080 in a literal matching any non-ASCII character.
 *
 * Hand-written because the hot path needs it: the well-kept npm implementation we tried
 * (`modern-ahocorasick` 3.3) segments text into grapheme clusters with `Intl.Segmenter` and
 * took 3.7 µs on a 130-character prompt, against well under 1 µs here; it also allocates
 * per match, and we only need "which literals occur", written into a caller's array.
 */
export interface LiteralAutomaton {
  /** Number of literals; literal `i` is the i-th string given to `createLiteralAutomaton`. */
  readonly size: number;
  /**
   * Set `present[i] = 1` for every literal `i` occurring in `text`, and append `i` to `found`
   * when `present[i]` was 0 before. Linear in `text.length`.
   */
  mark(text: string, present: Uint8Array, found: number[]): void;
}

/** The compiled tables: all the automaton keeps (build-time structures are left to the GC). */
interface Tables {
  size: number;
  /** Char code → alphabet class (0: in no literal). */
  classOf: Uint8Array;
  classes: number;
  /** `delta[state * classes + class]` → next state. */
  delta: Uint16Array | Int32Array;
  /** States from this number on report literals. */
  firstReporting: number;
  /** Reporting state s reports outIds[outStart[r] .. outStart[r + 1]), r = s - firstReporting. */
  outStart: Int32Array;
  outIds: Int32Array;
}

/** Build the automaton. Literals must be lower case and non-empty; duplicates share an id each. */
export function createLiteralAutomaton(literals: readonly string[]): LiteralAutomaton {
  return automatonOver(buildTables(literals));
}

function automatonOver({
  size,
  classOf,
  classes,
  delta,
  firstReporting,
  outStart,
  outIds,
}: Tables): LiteralAutomaton {
  return {
    size,
    mark(text, present, found) {
      let s = 0;
      for (let i = 0; i < text.length; i++) {
        s = delta[s * classes + classOf[text.charCodeAt(i)]!]!;
        if (s < firstReporting) continue;
        const r = s - firstReporting;
        for (let k = outStart[r]!; k < outStart[r + 1]!; k++) {
          const id = outIds[k]!;
          if (present[id] === 0) {
            present[id] = 1;
            found.push(id);
          }
        }
      }
    },
  };
}

function buildTables(literals: readonly string[]): Tables {
  // Alphabet: class 0 is "a character in no literal"; upper-case ASCII shares its lower-case class.
  const classOf = new Uint8Array(0x10000);
  let classes = 1;
  for (const lit of literals) {
    for (let i = 0; i < lit.length; i++) {
      const c = lit.charCodeAt(i);
      if (classOf[c] === 0) {
        if (classes === 0xff) throw new RangeError('literal alphabet larger than 254 characters');
        classOf[c] = classes++;
      }
    }
  }
  for (let c = 0x41; c <= 0x5a; c++) classOf[c] = classOf[c + 0x20]!;
  // U+0080 in a literal stands for any non-ASCII character (required-literals.ts).
  if (classOf[0x80] !== 0) classOf.fill(classOf[0x80]!, 0x81);

  // Trie: one map of edges (state * classes + class → child) while building, and each
  // state's edges as [class, child, class, child, …].
  const edges = new Map<number, number>();
  const own: number[][] = [[]];
  const out: number[][] = [[]];
  for (let id = 0; id < literals.length; id++) {
    const lit = literals[id]!;
    let s = 0;
    for (let i = 0; i < lit.length; i++) {
      const k = classOf[lit.charCodeAt(i)]!;
      let next = edges.get(s * classes + k);
      if (next === undefined) {
        next = own.length;
        own.push([]);
        out.push([]);
        edges.set(s * classes + k, next);
        out[s]!.push(k, next);
      }
      s = next;
    }
    own[s]!.push(id);
  }
  const states = own.length;

  // Fail links and the full DFA, breadth-first: a state's row is its fail state's row with
  // its own edges written over; outputs include those of the fail state.
  const table = new Int32Array(states * classes);
  const fail = new Int32Array(states);
  const outputs: number[][] = new Array<number[]>(states);
  outputs[0] = [];
  const queue: number[] = [];
  const rootEdges = out[0]!;
  for (let e = 0; e < rootEdges.length; e += 2) {
    table[rootEdges[e]!] = rootEdges[e + 1]!;
    queue.push(rootEdges[e + 1]!);
  }
  for (let head = 0; head < queue.length; head++) {
    const s = queue[head]!;
    const f = fail[s]!;
    outputs[s] = own[s]!.length === 0 ? outputs[f]! : [...own[s]!, ...outputs[f]!];
    table.copyWithin(s * classes, f * classes, f * classes + classes);
    const list = out[s]!;
    for (let e = 0; e < list.length; e += 2) {
      const k = list[e]!;
      const child = list[e + 1]!;
      fail[child] = table[f * classes + k]!;
      table[s * classes + k] = child;
      queue.push(child);
    }
  }

  // Renumber: states that report literals last, so the scan loop tells them apart by number
  // alone; the root (no outputs) stays 0. 16-bit states while they fit (half the table).
  const quiet: number[] = [];
  const reporting: number[] = [];
  for (let s = 0; s < states; s++) (outputs[s]!.length > 0 ? reporting : quiet).push(s);
  const order = [...quiet, ...reporting];
  const renamed = new Int32Array(states);
  order.forEach((old, i) => (renamed[old] = i));
  const delta =
    states < 0x10000 ? new Uint16Array(states * classes) : new Int32Array(states * classes);
  for (let s = 0; s < states; s++) {
    const row = renamed[s]! * classes;
    for (let k = 0; k < classes; k++) delta[row + k] = renamed[table[s * classes + k]!]!;
  }
  const outStart = new Int32Array(reporting.length + 1);
  reporting.forEach((old, r) => (outStart[r + 1] = outStart[r]! + outputs[old]!.length));
  const outIds = Int32Array.from(reporting.flatMap((old) => outputs[old]!));
  return {
    size: literals.length,
    classOf,
    classes,
    delta,
    firstReporting: quiet.length,
    outStart,
    outIds,
  };
}
