/**
 * Policy patterns run on Node's backtracking RegExp engine, so we only accept a subset in
 * which catastrophic backtracking cannot happen (checked at load, every problem reported):
 *
 * - no backreferences (`\1`, `\k<..>`), no lookaround, no named groups;
 * - a group may only be made optional (`(...)?`), never repeated (`(...)*`, `(...)+`, `(...){n}`),
 *   so there are no nested quantifiers and no ambiguous repeated alternations;
 * - unbounded `*`/`+` only on whitespace, digits or a literal character; everything else uses
 *   a bounded `{n,m}` with m ≤ MAX_BOUND (e.g. `\w{1,30}`, `[^.]{0,60}`);
 * - at most MAX_GAPS wide bounded gaps (m > 8) per pattern; pattern length ≤ MAX_LENGTH;
 * - it must compile and must not match the empty string.
 *
 * Why not `re2`: its current releases require Node ≥ 22, and the last Node-20-compatible one
 * (1.23.x) has no prebuilt binary here and compiles C++ for minutes on install; its per-call
 * UTF-16 → UTF-8 conversion also costs more than V8's irregexp on the short patterns we run.
 * The subset above plus a per-pattern input bound (`limits.scanChunkChars`) keeps every scan
 * linear in practice and bounded in the worst case.
 */
import { parsePattern, type PatternNode } from './required-literals.js';

export const MAX_BOUND = 80;
export const MAX_GAPS = 3;
export const MAX_LENGTH = 6000;

const SAFE_UNBOUNDED = new Set(['\\s', '\\d', ' ']);

/** Returns the problems with `source` (empty when it is in the safe subset). */
export function checkSafePattern(source: string): string[] {
  const problems = checkSafeSyntax(source);
  if (problems.length === 0 && matchesEmpty(source)) problems.push('matches the empty string');
  return problems;
}

/**
 * Does `source` match the empty string? Executing a pattern compiles it, which costs about 5 ms
 * per kilobyte of pattern: a policy checks its signals' joined expressions first (compiled once
 * anyway) and only the patterns of a signal that matches the empty string one by one.
 */
export function matchesEmpty(source: string): boolean {
  return new RegExp(source, 'i').test('');
}

/**
 * Whether `source` may match the empty string, read from its structure without compiling it:
 * a character (literal, class, `.`, `\\d` …) always consumes one, an assertion (`^`, `\\b` …) is
 * taken to succeed, so `false` is certain and `true` only means "compile and see"
 * (`matchesEmpty`). A pattern the parser cannot read is `true`.
 */
export function mayMatchEmpty(source: string): boolean {
  let root: PatternNode;
  try {
    root = parsePattern(source);
  } catch {
    return true;
  }
  const nullable = (node: PatternNode): boolean => {
    switch (node.t) {
      case 'char':
        return false;
      case 'empty':
        return true;
      case 'rep':
        return node.min === 0 || nullable(node.node);
      case 'alt':
        return node.of.some((branch) => branch.every(nullable));
    }
  };
  return nullable(root);
}

/**
 * `checkSafePattern` without the empty-string check: the subset's rules and that the pattern
 * parses (constructing a RegExp parses it; only executing it compiles it).
 */
export function checkSafeSyntax(source: string): string[] {
  const problems: string[] = [];
  if (source.length === 0) return ['empty pattern'];
  if (source.length > MAX_LENGTH) problems.push(`longer than ${MAX_LENGTH} characters`);
  let gaps = 0;
  let prevAtom: string | null = null; // the last atom, or ')' after a group
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (c === '\\') {
      const n = source[i + 1] ?? '';
      if (/[1-9]/.test(n)) problems.push(`backreference \\${n} at ${i}`);
      if (n === 'k') problems.push(`named backreference at ${i}`);
      prevAtom = `\\${n}`;
      i += 2;
      continue;
    }
    if (c === '[') {
      const end = findClassEnd(source, i);
      if (end < 0) {
        problems.push(`unterminated character class at ${i}`);
        break;
      }
      prevAtom = source.slice(i, end + 1);
      i = end + 1;
      continue;
    }
    if (c === '(') {
      if (
        source.startsWith('(?=', i) ||
        source.startsWith('(?!', i) ||
        source.startsWith('(?<=', i) ||
        source.startsWith('(?<!', i)
      ) {
        problems.push(`lookaround at ${i}`);
      } else if (source.startsWith('(?<', i)) problems.push(`named group at ${i}`);
      prevAtom = null;
      i += source.startsWith('(?:', i) ? 3 : 1;
      continue;
    }
    if (c === ')') {
      prevAtom = ')';
      i++;
      continue;
    }
    if (c === '*' || c === '+') {
      if (prevAtom === ')')
        problems.push(`repeated group '${c}' at ${i} (only '?' may follow a group)`);
      else if (prevAtom !== null && !SAFE_UNBOUNDED.has(prevAtom) && !isLiteral(prevAtom)) {
        problems.push(`unbounded '${c}' on ${prevAtom} at ${i}: use {0,${MAX_BOUND}}`);
      }
      i += source[i + 1] === '?' ? 2 : 1;
      prevAtom = null;
      continue;
    }
    if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(i));
      if (m) {
        if (prevAtom === ')')
          problems.push(`repeated group '{' at ${i} (only '?' may follow a group)`);
        const max = m[2] === undefined ? Number(m[1]) : m[3] === '' ? Infinity : Number(m[3]);
        if (max > MAX_BOUND) problems.push(`bound ${m[0]} at ${i} exceeds ${MAX_BOUND}`);
        if (max > 8) gaps++;
        i += m[0].length;
        prevAtom = null;
        continue;
      }
    }
    prevAtom = c === '|' || c === '^' || c === '$' || c === '?' ? null : c;
    i++;
  }
  if (gaps > MAX_GAPS) problems.push(`${gaps} wide gaps (max ${MAX_GAPS})`);
  if (problems.length === 0) {
    try {
      new RegExp(source, 'i');
    } catch (err) {
      problems.push(`does not compile: ${(err as Error).message}`);
    }
  }
  return problems;
}

function isLiteral(atom: string): boolean {
  if (atom.length === 1) return atom !== '.';
  return atom.length === 2 && atom[0] === '\\' && !/[wWsSdDbB]/.test(atom[1]!);
}

function findClassEnd(source: string, start: number): number {
  for (let i = start + 1; i < source.length; i++) {
    if (source[i] === '\\') i++;
    else if (source[i] === ']' && i > start + 1) return i;
  }
  return -1;
}
