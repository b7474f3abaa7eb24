import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';

const PG = { DATABASE_URL: 'postgres://db.example/oc' };

describe('WORKERS', () => {
  it('defaults to the number of cores on PostgreSQL, and takes a number', () => {
    expect(loadConfig(PG).workers).toBe(os.availableParallelism());
    expect(loadConfig({ ...PG, WORKERS: '3' }).workers).toBe(3);
  });

  it('keeps SQLite in one process, and says why it refuses more', () => {
    expect(loadConfig({}).workers).toBe(1);
    expect(() => loadConfig({ WORKERS: '2' })).toThrow(/WORKERS above 1 needs PostgreSQL/);
    expect(() => loadConfig({ ...PG, WORKERS: '0' })).toThrow(/WORKERS must be a whole number/);
  });
});
