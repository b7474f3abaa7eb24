/** Click-to-call-in: group settings and the choice of a free number and access code. */
import { AppError } from './errors.js';
import { normalizePhoneNumber } from './phone.js';
import type { NumberRule } from './queue-settings.js';

/** A pool of numbers a customer may call, with optional access codes and an expiry. */
export interface CallInGroup {
  name: string;
  /** E.164 numbers of the pool. */
  numbers: string[];
  accessCodeEnabled: boolean;
  /** Digits of the access code (never a leading zero: clients read it as a number). */
  accessCodeLength: number;
  /** How long a request holds its number and code. */
  expirySeconds: number;
}

const NAME_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;
const GROUP_KEYS = new Set([
  'name',
  'numbers',
  'accessCodeEnabled',
  'accessCodeLength',
  'expirySeconds',
]);
export const ACCESS_CODE_LENGTH = { min: 1, max: 8, default: 4 } as const;
export const EXPIRY_SECONDS = { min: 30, max: 86_400, default: 300 } as const;
const MAX_NUMBERS = 1000;
// Pool numbers are written in E.164; a number without "+" is read as North American.
export const CALL_IN_NUMBER_RULE: NumberRule = {
  defaultCountry: 'US',
  permittedCountries: [],
  blocked: [],
};

function fail(field: string, message: string): never {
  throw new AppError('INVALID_PARAMETER', `${field} ${message}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function wholeNumber(raw: unknown, field: string, range: { min: number; max: number }): number {
  if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < range.min || raw > range.max) {
    fail(field, `must be a whole number from ${range.min} to ${range.max}`);
  }
  return raw;
}

/** The E.164 form of a number given for `field`, with the field named in any error. */
export function callInNumber(raw: string, field: string): string {
  try {
    return normalizePhoneNumber(raw, CALL_IN_NUMBER_RULE);
  } catch (e) {
    if (e instanceof AppError) {
      throw new AppError(e.kind, `${field}: ${e.message.replace(/^phoneNumber /, '')}`);
    }
    throw e;
  }
}

/** Validates a group document (admin API or tenant configuration); names the field that is wrong. */
export function parseCallInGroup(raw: unknown, where = 'group'): CallInGroup {
  if (!isRecord(raw)) fail(where, 'must be an object');
  for (const key of Object.keys(raw)) {
    if (!GROUP_KEYS.has(key)) fail(`${where}.${key}`, 'is not a call-in group field');
  }
  if (typeof raw.name !== 'string' || !NAME_PATTERN.test(raw.name)) {
    fail(`${where}.name`, 'must be 1–64 letters, digits, ".", "_" or "-"');
  }
  if (!Array.isArray(raw.numbers) || raw.numbers.length === 0) {
    fail(`${where}.numbers`, 'must list at least one phone number');
  }
  if (raw.numbers.length > MAX_NUMBERS) fail(`${where}.numbers`, `may list at most ${MAX_NUMBERS}`);
  const numbers: string[] = [];
  raw.numbers.forEach((n: unknown, i) => {
    const field = `${where}.numbers[${i}]`;
    if (typeof n !== 'string') fail(field, 'must be a phone number in E.164 form');
    const e164 = callInNumber(n, field);
    if (numbers.includes(e164)) fail(field, `repeats ${e164}`);
    numbers.push(e164);
  });
  if (raw.accessCodeEnabled !== undefined && typeof raw.accessCodeEnabled !== 'boolean') {
    fail(`${where}.accessCodeEnabled`, 'must be true or false');
  }
  return {
    name: raw.name,
    numbers,
    accessCodeEnabled: raw.accessCodeEnabled ?? false,
    accessCodeLength:
      raw.accessCodeLength === undefined
        ? ACCESS_CODE_LENGTH.default
        : wholeNumber(raw.accessCodeLength, `${where}.accessCodeLength`, ACCESS_CODE_LENGTH),
    expirySeconds:
      raw.expirySeconds === undefined
        ? EXPIRY_SECONDS.default
        : wholeNumber(raw.expirySeconds, `${where}.expirySeconds`, EXPIRY_SECONDS),
  };
}

/** A live request's hold on a number (and code). */
export interface NumberHold {
  toPhoneNumber: string;
  accessCode: string | null;
}

/** `randomInt(n)` returns a uniformly random whole number in [0, n). */
export type RandomInt = (n: number) => number;

/** How many access codes of `length` digits there are (none starts with 0). */
export const accessCodeSpace = (length: number): number => 9 * 10 ** (length - 1);

// Random picks first, so codes are not guessable from the previous one; then a scan, which finds
// a free code within (codes in use + 1) steps, so a nearly full pool is still allocated exactly.
const RANDOM_CODE_TRIES = 8;

function freeCode(used: ReadonlySet<string>, length: number, randomInt: RandomInt) {
  const space = accessCodeSpace(length);
  if (used.size >= space) return undefined;
  // GES clients read the code as a number, so a leading zero would be lost: n-digit codes run
  // from 10…0 to 99…9.
  const first = 10 ** (length - 1);
  const format = (n: number) => String(first + n);
  for (let i = 0; i < RANDOM_CODE_TRIES; i++) {
    const code = format(randomInt(space));
    if (!used.has(code)) return code;
  }
  const start = randomInt(space);
  for (let step = 0; step < space; step++) {
    const code = format((start + step) % space);
    if (!used.has(code)) return code;
  }
  return undefined;
}

/**
 * A number of the pool (and a code, when the group uses them) that no live request holds, or
 * undefined when every pair is taken. The least used numbers go first, in random order, so the
 * load spreads over the pool.
 */
export function allocateNumber(
  group: CallInGroup,
  live: readonly NumberHold[],
  randomInt: RandomInt,
): { toPhoneNumber: string; accessCode: string | null } | undefined {
  const codesByNumber = new Map<string, Set<string>>(group.numbers.map((n) => [n, new Set()]));
  const holds = new Map<string, number>(group.numbers.map((n) => [n, 0]));
  for (const hold of live) {
    holds.set(hold.toPhoneNumber, (holds.get(hold.toPhoneNumber) ?? 0) + 1);
    // A request made before codes were enabled blocks the number for every code.
    codesByNumber.get(hold.toPhoneNumber)?.add(hold.accessCode ?? '*');
  }
  const shuffled = group.numbers
    .map((n) => ({ n, order: randomInt(1_000_000) }))
    .sort((a, b) => (holds.get(a.n) ?? 0) - (holds.get(b.n) ?? 0) || a.order - b.order)
    .map((x) => x.n);
  for (const number of shuffled) {
    const used = codesByNumber.get(number) ?? new Set<string>();
    if (!group.accessCodeEnabled) {
      if ((holds.get(number) ?? 0) === 0) return { toPhoneNumber: number, accessCode: null };
      continue;
    }
    if (used.has('*')) continue;
    const code = freeCode(used, group.accessCodeLength, randomInt);
    if (code !== undefined) return { toPhoneNumber: number, accessCode: code };
  }
  return undefined;
}
