/**
 * What text a pattern cannot match without: a boolean formula over literal substrings, e.g.
 * `\bhow to\b[^.]{0,80}\b(?:bomb|rifle)s?` needs `how to` AND (`bomb` OR `rifle`). When the
 * formula is false for a text, the pattern cannot match anywhere in it, so its scan can be
 * skipped with no change in what is found (the signal prefilter).
 *
 * Literals are lower case and meant for a case-folded text: patterns run with the `i` flag
 * and without `u`, where an ASCII letter only ever matches the two ASCII cases of itself
 * (ES Canonicalize never maps a non-ASCII character to ASCII), so a lower-cased ASCII text
 * contains the literal whenever the pattern could match it. Every character outside ASCII is
 * written as one stand-in, `NON_ASCII` (U+0080), which the automaton reads for any non-ASCII
 * character of the text: without `u`, Canonicalize never maps a non-ASCII character to ASCII or
 * back, so a non-ASCII pattern character (Cyrillic of either case, CJK, Arabic …) matches only a
 * non-ASCII text character. Coarser than the character itself, never wrong. A run of two of them
 * is selective enough to require in mostly-Latin text ("下毒", "毒死"), so such literals may be two
 * characters long where ASCII ones need three. Whatever the analysis does not understand yields
 * `true` (no requirement), so the formula is always implied by a match.
 * Hand-written: no library extracts required factors from JavaScript regular expressions.
 */
export type Requirement =
  | { op: 'true' }
  /** The text contains at least one of the literals. */
  | { op: 'any'; literals: string[] }
  | { op: 'and'; of: Requirement[] }
  | { op: 'or'; of: Requirement[] };

/** Finite sets of strings a part can match are expanded up to this many strings. */
const MAX_EXACT = 64;
/** Shorter literals say too little (and fire too often) to be worth requiring. */
const MIN_LITERAL = 3;
/**
 * Longer literals are cut to this prefix (a text containing the literal contains its prefix):
 * expansions share prefixes, so this bounds the automaton with little loss of selectivity.
 */
const MAX_LITERAL = 12;
const TRUE: Requirement = { op: 'true' };
/** The one literal character every non-ASCII character stands as (see the module comment). */
export const NON_ASCII = '\u0080';

/** A parsed pattern (exported for the prefilter's generative test). */
export type PatternNode =
  // One character: its possible (folded) values, null = many/unknown; `src` is its source.
  | { t: 'char'; set: string[] | null; src: string }
  | { t: 'empty' } // zero-width: anchors, \b, lookaround
  | { t: 'alt'; of: PatternNode[][] }
  | { t: 'rep'; node: PatternNode; min: number; max: number };
type Node = PatternNode;

/** Parse a pattern into its branches (for tests); throws on what the analysis cannot read. */
export function parsePattern(source: string): PatternNode {
  const parser = new Parser(source);
  const of = parser.alternation();
  if (parser.pos !== source.length) throw new Error(`unparsed from ${parser.pos}`);
  return { t: 'alt', of };
}

/** The requirement of one pattern (safe subset; anything unexpected degrades to `true`). */
export function requiredLiterals(source: string): Requirement {
  try {
    const parser = new Parser(source);
    const branches = parser.alternation();
    if (parser.pos !== source.length) return TRUE;
    return analyse({ t: 'alt', of: branches }).req;
  } catch {
    return TRUE;
  }
}

/** Fold one pattern character: ASCII to lower case, anything else to `NON_ASCII`. */
function foldChar(ch: string): string | null {
  return ch.charCodeAt(0) < 0x80 ? ch.toLowerCase() : NON_ASCII;
}

class Parser {
  pos = 0;
  constructor(private readonly src: string) {}

  alternation(): Node[][] {
    const branches: Node[][] = [this.sequence()];
    while (this.src[this.pos] === '|') {
      this.pos++;
      branches.push(this.sequence());
    }
    return branches;
  }

  private sequence(): Node[] {
    const items: Node[] = [];
    while (this.pos < this.src.length && this.src[this.pos] !== '|' && this.src[this.pos] !== ')') {
      const atom = this.atom();
      items.push(this.quantified(atom));
    }
    return items;
  }

  private quantified(atom: Node): Node {
    const c = this.src[this.pos];
    let min: number;
    let max: number;
    if (c === '?' || c === '*' || c === '+') {
      this.pos++;
      [min, max] = c === '?' ? [0, 1] : c === '*' ? [0, Infinity] : [1, Infinity];
    } else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.pos));
      if (!m) return atom; // not a quantifier: the '{' is a literal (Annex B), read as the next atom
      this.pos += m[0].length;
      min = Number(m[1]);
      max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
    } else return atom;
    if (this.src[this.pos] === '?') this.pos++; // lazy: same strings
    return { t: 'rep', node: atom, min, max };
  }

  private atom(): Node {
    const start = this.pos;
    const node = this.readAtom();
    if (node.t === 'char') node.src = this.src.slice(start, this.pos);
    return node;
  }

  private readAtom(): Node {
    const src = this.src;
    const c = src[this.pos]!;
    if (c === '(') {
      if (src.startsWith('(?:', this.pos)) this.pos += 3;
      else if (src.startsWith('(?=', this.pos) || src.startsWith('(?!', this.pos))
        return this.skipGroup(3);
      else if (src.startsWith('(?<=', this.pos) || src.startsWith('(?<!', this.pos))
        return this.skipGroup(4);
      else if (src.startsWith('(?<', this.pos)) this.pos = src.indexOf('>', this.pos) + 1;
      else if (src.startsWith('(?', this.pos))
        throw new Error('unknown group'); // e.g. modifiers
      else this.pos++;
      const of = this.alternation();
      if (src[this.pos] !== ')') throw new Error('unbalanced');
      this.pos++;
      return { t: 'alt', of };
    }
    if (c === '[') return this.charClass();
    if (c === '\\') return this.escape();
    this.pos++;
    if (c === '^' || c === '$') return { t: 'empty' };
    if (c === '.') return { t: 'char', set: null, src: '' };
    const f = foldChar(c);
    return { t: 'char', set: f === null ? null : [f], src: '' };
  }

  /** Lookaround is zero-width: it adds nothing to the matched text. */
  private skipGroup(open: number): Node {
    this.pos += open;
    this.alternation();
    if (this.src[this.pos] !== ')') throw new Error('unbalanced');
    this.pos++;
    return { t: 'empty' };
  }

  /** One escaped character, or null when the escape stands for a class or is not understood. */
  private escapedChar(): string | null {
    const src = this.src;
    const n = src[this.pos + 1] ?? '';
    this.pos += 2;
    const simple: Record<string, string> = { n: '\n', r: '\r', t: '\t', f: '\f', v: '\v' };
    if (simple[n] !== undefined) return simple[n]!;
    if (n === 'x' || n === 'u') {
      const len = n === 'x' ? 2 : 4;
      const hex = src.slice(this.pos, this.pos + len);
      if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(hex)) return null;
      this.pos += len;
      return String.fromCharCode(parseInt(hex, 16));
    }
    // \cX and \0, \1… (control letters, octal, back-references) span more characters than two:
    // give up on the pattern rather than misread what follows.
    if (n === 'c' || /[0-9]/.test(n)) throw new Error(`escape \\${n} not analysed`);
    if (/[a-zA-Z]/.test(n)) return null; // \d \w \s \b …: classes and assertions
    return n; // identity escape: \. \- \/ \' …
  }

  private escape(): Node {
    const n = this.src[this.pos + 1] ?? '';
    if (n === 'b' || n === 'B') {
      this.pos += 2;
      return { t: 'empty' };
    }
    const ch = this.escapedChar();
    const f = ch === null ? null : foldChar(ch);
    return { t: 'char', set: f === null ? null : [f], src: '' };
  }

  private charClass(): Node {
    const src = this.src;
    this.pos++;
    const negated = src[this.pos] === '^';
    if (negated) this.pos++;
    const chars = new Set<string>();
    let known = !negated;
    while (this.pos < src.length && src[this.pos] !== ']') {
      let lo: string | null;
      if (src[this.pos] === '\\') lo = this.escapedChar();
      else lo = src[this.pos++]!;
      if (src[this.pos] === '-' && src[this.pos + 1] !== ']' && this.pos + 1 < src.length) {
        this.pos++;
        const hi = src[this.pos] === '\\' ? this.escapedChar() : src[this.pos++]!;
        if (lo === null || hi === null || hi.charCodeAt(0) - lo.charCodeAt(0) > 8) known = false;
        else
          for (let k = lo.charCodeAt(0); k <= hi.charCodeAt(0); k++)
            chars.add(String.fromCharCode(k));
        continue;
      }
      if (lo === null) known = false;
      else chars.add(lo);
    }
    if (src[this.pos] !== ']') throw new Error('unterminated class');
    this.pos++;
    if (!known) return { t: 'char', set: null, src: '' };
    const folded = new Set<string>();
    for (const ch of chars) {
      const f = foldChar(ch);
      if (f === null) return { t: 'char', set: null, src: '' };
      folded.add(f);
    }
    return { t: 'char', set: folded.size <= 8 ? [...folded] : null, src: '' };
  }
}

interface Analysis {
  /** Every string this part can match (folded), when that set is small; else null. */
  exact: string[] | null;
  /** What any match of this part contains. */
  req: Requirement;
  /**
   * For a repetition of a finite part (`x{2,8}`), its minimum copies: every match both starts
   * and ends with one of these strings, so they join the finite parts around it.
   */
  edge?: string[] | null;
}

function cross(a: string[], b: string[]): string[] | null {
  if (a.length * b.length > MAX_EXACT) return null;
  const out = new Set<string>();
  for (const x of a) for (const y of b) out.add(x + y);
  return [...out];
}

function literalsReq(strings: string[]): Requirement {
  if (strings.length === 0 || strings.some(tooShort)) return TRUE;
  return { op: 'any', literals: [...new Set(strings.map((s) => s.slice(0, MAX_LITERAL)))] };
}

/** Under MIN_LITERAL, except a run of two or more non-ASCII characters (module comment). */
function tooShort(s: string): boolean {
  if (s.length >= MIN_LITERAL) return false;
  return s.length < 2 || s !== NON_ASCII.repeat(s.length);
}

function and(of: Requirement[]): Requirement {
  const kept = of.filter((r) => r.op !== 'true');
  if (kept.length === 0) return TRUE;
  return kept.length === 1 ? kept[0]! : { op: 'and', of: kept };
}

function or(of: Requirement[]): Requirement {
  if (of.length === 0 || of.some((r) => r.op === 'true')) return TRUE;
  if (of.every((r) => r.op === 'any'))
    return {
      op: 'any',
      literals: [...new Set(of.flatMap((r) => (r.op === 'any' ? r.literals : [])))],
    };
  return of.length === 1 ? of[0]! : { op: 'or', of };
}

function analyse(node: Node): Analysis {
  switch (node.t) {
    case 'empty':
      return { exact: [''], req: TRUE };
    case 'char':
      return { exact: node.set, req: TRUE };
    case 'rep': {
      const inner = analyse(node.node);
      if (node.min === 0) {
        const exact = node.max === 1 && inner.exact ? [...new Set(['', ...inner.exact])] : null;
        return { exact, req: TRUE };
      }
      // At least one copy is in the match: its requirement, or its strings, hold.
      let least: string[] | null = null;
      if (inner.exact) {
        least = [''];
        for (let k = 0; k < node.min && least; k++) least = cross(least, inner.exact);
      }
      return {
        exact: node.min === node.max ? least : null,
        edge: least,
        req: and([
          inner.req,
          least ? literalsReq(least) : inner.exact ? literalsReq(inner.exact) : TRUE,
        ]),
      };
    }
    case 'alt': {
      const branches = node.of.map(analyseSequence);
      let exact: string[] | null = [];
      for (const b of branches) {
        if (!b.exact || !exact) exact = null;
        else exact = [...new Set([...exact, ...b.exact])];
        if (exact && exact.length > MAX_EXACT) exact = null;
      }
      return { exact, req: or(branches.map((b) => b.req)) };
    }
  }
}

/**
 * A concatenation: runs of consecutive finite parts are expanded into their strings (each
 * match contains one of them), non-finite parts contribute their own requirement.
 */
function analyseSequence(items: Node[]): Analysis {
  const parts = items.map(analyse);
  const reqs: Requirement[] = [];
  let whole: string[] | null = [''];
  let run: string[] = [''];
  for (const p of parts) {
    whole = whole && p.exact ? cross(whole, p.exact) : null;
    if (p.exact) {
      const next = cross(run, p.exact);
      if (next) run = next;
      else {
        // Window full: what it holds so far is required; start a new window with this part.
        reqs.push(literalsReq(run));
        run = p.exact;
      }
    } else if (p.edge) {
      // The finite text before it joins its first copies; its last copies start the next window.
      reqs.push(literalsReq(cross(run, p.edge) ?? run), p.req);
      run = p.edge;
    } else {
      reqs.push(literalsReq(run), p.req);
      run = [''];
    }
  }
  reqs.push(literalsReq(run));
  // All finite: the whole strings are the most specific requirement (when long enough).
  const wholeReq = whole ? literalsReq(whole) : TRUE;
  return { exact: whole, req: wholeReq.op !== 'true' ? wholeReq : and(reqs) };
}
