import { describe, expect, it } from 'vitest';
import {
  compileNumberPattern,
  matchNumberPattern,
  numberMatches,
  patternFromRegex,
  type NumberPattern,
} from '../../../src/domain/number-pattern.js';
import { readBlockedPattern } from '../../../src/domain/settings-rules.js';

const compiled = (source: string): NumberPattern => {
  const pattern = compileNumberPattern(source);
  if (typeof pattern === 'string') throw new Error(pattern);
  return pattern;
};

describe('blocked-number patterns', () => {
  it.each([
    ['+1900*', '+19005550100', true],
    ['+1900*', '+12125550100', false],
    ['+4470????????', '+447012345678', true],
    ['+4470????????', '+4470123456789', false],
    ['+*666', '+12125550666', true],
    ['+*666', '+12126665000', false],
    ['+33[67]*', '+33612345678', true],
    ['+33[67]*', '+33512345678', false],
    ['+1[2-3]12*', '+13125550100', true],
    ['+12125550100', '+12125550100', true],
    ['+*', '+12125550100', true],
  ])('%s on %s: %s', (pattern, number, expected) => {
    expect(numberMatches(pattern, number)).toBe(expected);
  });

  it.each([
    ['1900*', /must start with "\+"/],
    ['+1(900)', /"\(" at position 3/],
    ['+1[9-0]', /class "\[9-0\]"/],
    ['+1[90', /without its "\]"/],
    ['+1\\d', /at position 3, which is not part of a pattern/],
  ])('refuses %s', (pattern, why) => {
    expect(compileNumberPattern(pattern)).toMatch(why);
  });

  it('matches in steps linear in the pattern and the number, whatever the pattern', () => {
    // The shapes that make backtracking engines explode: stars around optional digits.
    const worst = [
      `+${'*?'.repeat(99)}1`,
      `+${'?*'.repeat(99)}`,
      `+${'*1'.repeat(99)}2`,
      `+*${'[0-9]*'.repeat(32)}5`,
    ];
    const number = `+${'1'.repeat(15)}`;
    for (const source of worst) {
      expect(source.length).toBeLessThanOrEqual(200);
      const pattern = compiled(source);
      const { steps } = matchNumberPattern(pattern, number);
      expect(steps, source).toBeLessThanOrEqual(pattern.atoms.length * 15);
      // Doubling the number's length at most doubles the work.
      const longer = matchNumberPattern(pattern, `+${'1'.repeat(30)}`).steps;
      expect(longer, source).toBeLessThanOrEqual(2 * steps + pattern.atoms.length);
    }
  });
});

describe('regular expressions of earlier versions', () => {
  const convertible = [
    ['^\\+1900', '+1900*'],
    ['\\+1900', '+1900*'],
    ['^\\+4470\\d{8}$', '+4470????????'],
    ['900', '+*900*'],
    ['\\d{3}666$', '+*???666'],
    ['[2-9]11$', '+*[2-9]11'],
    ['^\\+1\\d*555', '+1*555*'],
    ['^\\+33[67]', '+33[67]*'],
    ['^\\+[0-9]{2}$', '+??'],
    ['^\\+.{3}', '+???*'],
  ];

  it.each(convertible)('%s converts to %s', (regex, pattern) => {
    expect(patternFromRegex(regex)).toBe(pattern);
  });

  it('converted patterns match exactly the numbers the expression matched', () => {
    // Deterministic pseudo-random numbers, rich in the digits the expressions name.
    let seed = 7;
    const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648);
    const digits = '0123456789156639';
    const numbers = Array.from({ length: 5000 }, () => {
      const length = 1 + (next() % 15);
      let n = '+';
      for (let i = 0; i < length; i++) n += digits.charAt(next() % digits.length);
      return n;
    });
    for (const [regex = '', pattern = ''] of convertible) {
      const re = new RegExp(regex);
      for (const n of numbers) expect(numberMatches(pattern, n), `${regex} ${n}`).toBe(re.test(n));
    }
  });

  it.each([
    '^\\+(\\d?\\d?\\d?\\d?)+x$',
    '^\\+44(70|76)',
    '^\\+1\\d?555',
    '.5',
    '1+',
    '^\\+1\\d{2,3}',
    '(',
  ])('%s has no exact pattern and is refused with the syntax to use', (regex) => {
    expect(patternFromRegex(regex)).toBeUndefined();
    const read = readBlockedPattern(regex);
    expect(read.ok).toBe(false);
    expect(!read.ok && read.why).toMatch(/no pattern means exactly the same.*"\+1900\*"/);
  });
});
