import { AppError } from './errors.js';

// Small readers for hand-validating settings JSON: each records a path-named issue and returns
// undefined, so one pass reports every problem instead of the first.

/** A plain JSON object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Collects "path: what is wrong" messages; `throwIfAny` raises them as one INVALID_PARAMETER. */
export class Issues {
  readonly list: string[] = [];

  /** Records one problem at a field path. */
  add(path: string, message: string): undefined {
    this.list.push(`${path}: ${message}`);
    return undefined;
  }

  /** Throws AppError INVALID_PARAMETER naming every recorded problem. */
  throwIfAny(): void {
    if (this.list.length === 0) return;
    const shown = this.list.slice(0, 10);
    const more = this.list.length > shown.length ? `; and ${this.list.length - 10} more` : '';
    throw new AppError('INVALID_PARAMETER', shown.join('; ') + more);
  }
}

/** Joins a parent path and a key ("numberRule" + "blocked" → "numberRule.blocked"). */
export function at(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path === '' ? key : `${path}.${key}`;
}

/** Flags every key of `obj` not in `allowed`. */
export function rejectUnknownKeys(
  obj: Record<string, unknown>,
  allowed: readonly string[],
  path: string,
  issues: Issues,
): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) issues.add(at(path, key), 'unknown field');
  }
}

/** An integer in [min, max]; `fallback` when absent (undefined or null). */
export function readInt(
  value: unknown,
  path: string,
  issues: Issues,
  range: { min: number; max: number },
  fallback: number,
): number;
export function readInt(
  value: unknown,
  path: string,
  issues: Issues,
  range: { min: number; max: number },
): number | undefined;
export function readInt(
  value: unknown,
  path: string,
  issues: Issues,
  range: { min: number; max: number },
  fallback?: number,
): number | undefined {
  if (value === undefined || value === null) return fallback;
  if (
    typeof value !== 'number' ||
    !Number.isInteger(value) ||
    value < range.min ||
    value > range.max
  ) {
    issues.add(
      path,
      `must be an integer from ${range.min} to ${range.max} (got ${describe(value)})`,
    );
    return fallback;
  }
  return value;
}

/** A boolean; `fallback` when absent. */
export function readBool(value: unknown, path: string, issues: Issues, fallback: boolean): boolean {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'boolean') {
    issues.add(path, `must be true or false (got ${describe(value)})`);
    return fallback;
  }
  return value;
}

/** A string of 1..maxLength characters; undefined when absent. */
export function readOptionalString(
  value: unknown,
  path: string,
  issues: Issues,
  maxLength: number,
): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.length === 0 || value.length > maxLength) {
    return issues.add(path, `must be a string of 1 to ${maxLength} characters`);
  }
  return value;
}

/** A short rendering of a bad value for an error message. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.slice(0, 40));
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === undefined) return 'nothing';
  if (typeof value === 'object') return 'an object';
  return `a value of type ${typeof value}`;
}
