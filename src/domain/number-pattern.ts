/**
 * Blocked-number patterns: a small language that cannot backtrack, replacing the JavaScript
 * regular expressions a supervisor could once write (one of those could stall every booking).
 *
 * A pattern is "+" followed by atoms, matched against the whole E.164 number:
 *   a digit      that digit
 *   ?            any one digit
 *   [0-9] [135]  one digit of the class (digits and ranges)
 *   *            any run of digits, possibly empty
 * So "+1900*" blocks every number starting +1900, "+4470???????" exactly those 12-digit ones,
 * "+*666" every number ending in 666. Matching runs the pattern as a set of positions over the
 * number once (no backtracking): at most (pattern atoms + 1) × (number digits + 1) steps.
 *
 * Every pattern starts with "+", which no valid JavaScript regular expression can do, so an
 * old regular expression is never mistaken for a pattern; `patternFromRegex` converts the ones
 * that have an exact equivalent.
 */

const ALL_DIGITS = 0x3ff;

/** One digit out of a set (bit d set = digit d), or a run of any digits. */
export type PatternAtom =
  { readonly kind: 'digit'; readonly set: number } | { readonly kind: 'any' };

/** A compiled pattern. */
export interface NumberPattern {
  readonly source: string;
  readonly atoms: readonly PatternAtom[];
}

export const PATTERN_SYNTAX =
  '"+" then digits, "?" for any digit, "[0-9]" or "[135]" for one of several, "*" for any digits ' +
  '(e.g. "+1900*")';

/** Compiles a pattern, or returns why it is not one. */
export function compileNumberPattern(source: string): NumberPattern | string {
  if (!source.startsWith('+')) return `must start with "+" (${PATTERN_SYNTAX})`;
  const atoms: PatternAtom[] = [];
  let i = 1;
  while (i < source.length) {
    const c = source.charAt(i);
    if (c >= '0' && c <= '9') {
      atoms.push({ kind: 'digit', set: 1 << Number(c) });
      i += 1;
    } else if (c === '?') {
      atoms.push({ kind: 'digit', set: ALL_DIGITS });
      i += 1;
    } else if (c === '*') {
      // "**" means the same as "*"; keeping one keeps the matcher's work proportional.
      if (atoms.at(-1)?.kind !== 'any') atoms.push({ kind: 'any' });
      i += 1;
    } else if (c === '[') {
      const end = source.indexOf(']', i);
      if (end === -1) return `has a "[" without its "]" (${PATTERN_SYNTAX})`;
      const set = digitClass(source.slice(i + 1, end));
      if (set === undefined) {
        return `has a class "${source.slice(i, end + 1)}" that is not digits and ranges like [0-9] or [135]`;
      }
      atoms.push({ kind: 'digit', set });
      i = end + 1;
    } else {
      return `has "${c}" at position ${i + 1}, which is not part of a pattern (${PATTERN_SYNTAX})`;
    }
  }
  return { source, atoms };
}

/**
 * Whether an E.164 number matches the whole pattern, and how many steps that took (the test of
 * linearity). Runs every pattern position at once over the digits: no backtracking.
 */
export function matchNumberPattern(
  pattern: NumberPattern,
  e164: string,
): { matched: boolean; steps: number } {
  if (!e164.startsWith('+')) return { matched: false, steps: 0 };
  const atoms = pattern.atoms;
  let steps = 0;
  // live[k]: the first k atoms can match the digits read so far.
  const start = new Uint8Array(atoms.length + 1);
  start[0] = 1;
  let live = closure(start, atoms);
  for (let i = 1; i < e164.length; i++) {
    const code = e164.charCodeAt(i) - 48;
    if (code < 0 || code > 9) return { matched: false, steps };
    const next = new Uint8Array(atoms.length + 1);
    for (let k = 0; k < atoms.length; k++) {
      steps++;
      if (live[k] !== 1) continue;
      const atom = atoms[k];
      if (atom === undefined) continue;
      if (atom.kind === 'any') next[k] = 1;
      else if ((atom.set & (1 << code)) !== 0) next[k + 1] = 1;
    }
    live = closure(next, atoms);
  }
  return { matched: live[atoms.length] === 1, steps };
}

/** Whether an E.164 number matches the pattern text (an invalid pattern matches nothing). */
export function numberMatches(source: string, e164: string): boolean {
  const pattern = compileNumberPattern(source);
  return typeof pattern !== 'string' && matchNumberPattern(pattern, e164).matched;
}

// A live "*" may also match nothing: the position after it is live too.
function closure(live: Uint8Array, atoms: readonly PatternAtom[]): Uint8Array {
  for (let k = 0; k < atoms.length; k++) {
    if (live[k] === 1 && atoms[k]?.kind === 'any') live[k + 1] = 1;
  }
  return live;
}

function digitClass(body: string): number | undefined {
  if (body === '') return undefined;
  let set = 0;
  let i = 0;
  while (i < body.length) {
    const from = body.charAt(i);
    if (!(from >= '0' && from <= '9')) return undefined;
    if (body.charAt(i + 1) === '-') {
      const to = body.charAt(i + 2);
      if (!(to >= '0' && to <= '9') || to < from) return undefined;
      for (let d = Number(from); d <= Number(to); d++) set |= 1 << d;
      i += 3;
    } else {
      set |= 1 << Number(from);
      i += 1;
    }
  }
  return set;
}

/**
 * The pattern with exactly the meaning an old blocked regular expression had on E.164 numbers
 * (searched anywhere in "+digits", as RegExp#test did), or undefined when there is none.
 * Converts what blocked lists hold in practice ("^\+1900" → "+1900*", "^\+4470\d{8}$" →
 * "+4470????????", "900" → "+*900*"); alternatives, groups and optional parts have none.
 */
export function patternFromRegex(regex: string): string | undefined {
  const tokens = regexTokens(regex);
  if (tokens === undefined) return undefined;
  let body = tokens;
  const anchoredStart = body[0]?.kind === 'start';
  if (anchoredStart) body = body.slice(1);
  const anchoredEnd = body.at(-1)?.kind === 'end';
  if (anchoredEnd) body = body.slice(0, -1);
  if (body.some((t) => t.kind === 'start' || t.kind === 'end')) return undefined;
  const plusAt = body.findIndex((t) => t.kind === 'plus');
  // "+" only ever stands first in an E.164 number: a "\+" anywhere but first never matches.
  if (plusAt > 0) return undefined;
  const fromPlus = plusAt === 0;
  if (fromPlus) body = body.slice(1);
  else if (anchoredStart) return undefined;
  // Without "\+" the regex may start matching at the "+", which "." (any character) could take.
  let nullableSoFar = true;
  let out = fromPlus ? '+' : '+*';
  for (const token of body) {
    if (token.kind === 'dot' && !fromPlus && nullableSoFar) return undefined;
    if (token.kind === 'digit') out += token.text;
    else if (token.kind === 'any') out += '*';
    else if (token.kind === 'dot') out += '?';
    else return undefined;
    if (token.kind !== 'any') nullableSoFar = false;
  }
  if (!anchoredEnd) out += '*';
  const collapsed = out.replace(/\*+/g, '*');
  return typeof compileNumberPattern(collapsed) === 'string' ? undefined : collapsed;
}

type RegexToken =
  | { readonly kind: 'start' | 'end' | 'plus' | 'dot' | 'any' }
  | { readonly kind: 'digit'; readonly text: string };

// Reads the subset of regex syntax that has exact equivalents; anything else gives undefined.
function regexTokens(regex: string): RegexToken[] | undefined {
  const out: RegexToken[] = [];
  let i = 0;
  while (i < regex.length) {
    const c = regex.charAt(i);
    let atom: RegexToken;
    if (c === '^' && i === 0) {
      out.push({ kind: 'start' });
      i += 1;
      continue;
    }
    if (c === '$' && i === regex.length - 1) {
      out.push({ kind: 'end' });
      i += 1;
      continue;
    }
    if (c === '\\') {
      const e = regex.charAt(i + 1);
      if (e === '+') atom = { kind: 'plus' };
      else if (e === 'd') atom = { kind: 'digit', text: '?' };
      else return undefined;
      i += 2;
    } else if (c >= '0' && c <= '9') {
      atom = { kind: 'digit', text: c };
      i += 1;
    } else if (c === '.') {
      atom = { kind: 'dot' };
      i += 1;
    } else if (c === '[') {
      const end = regex.indexOf(']', i);
      if (end === -1) return undefined;
      const inner = regex.slice(i + 1, end);
      if (inner === '+' || inner === '\\+') atom = { kind: 'plus' };
      else if (inner === '0-9' || inner === '\\d') atom = { kind: 'digit', text: '?' };
      else if (digitClass(inner) !== undefined) atom = { kind: 'digit', text: `[${inner}]` };
      else return undefined;
      i = end + 1;
    } else {
      return undefined;
    }
    // Quantifiers: {n} repeats exactly; "*" and "+" only on "any digit" atoms ("\d*" is "*").
    const q = regex.charAt(i);
    if (q === '{') {
      const m = /^\{(\d{1,2})\}/.exec(regex.slice(i));
      if (m?.[1] === undefined || atom.kind === 'plus') return undefined;
      for (let n = 0; n < Number(m[1]); n++) out.push(atom);
      i += m[0].length;
    } else if (q === '*' || q === '+') {
      const anyDigit = (atom.kind === 'digit' && atom.text === '?') || atom.kind === 'dot';
      if (!anyDigit || regex.charAt(i + 1) === '?') return undefined;
      if (q === '+') out.push(atom);
      out.push({ kind: 'any' });
      i += 1;
    } else if (q === '?') {
      return undefined;
    } else {
      out.push(atom);
    }
  }
  return out;
}
