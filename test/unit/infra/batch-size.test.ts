import { describe, expect, it } from 'vitest';
import { BatchSize, batchSizeFor } from '../../../src/infra/batch-size.js';
import { CAPABILITIES } from '../../../src/store/engine.js';

describe('bulk changes size their batches by how long the last one took', () => {
  it('grows while batches finish well within the target, up to the cap', () => {
    const size = new BatchSize(20, 50, 800);
    const seen = [size.next];
    for (let i = 0; i < 6; i++) {
      size.took(2, size.next, size.next);
      seen.push(size.next);
    }
    expect(seen).toEqual([100, 200, 400, 800, 800, 800, 800]);
  });

  it('halves after a batch overruns the target, down to the floor', () => {
    const size = new BatchSize(20, 50, 800);
    size.took(5, 100, 100);
    size.took(5, 200, 200);
    expect(size.next).toBe(400);
    size.took(45, 400, 400);
    expect(size.next).toBe(200);
    for (let i = 0; i < 5; i++) size.took(100, size.next, size.next);
    expect(size.next).toBe(50);
  });

  it('keeps its size for batches near the target and learns nothing from the short last one', () => {
    const size = new BatchSize(20, 50, 800);
    size.took(15, 100, 100);
    expect(size.next).toBe(100);
    size.took(1, 3, 100);
    expect(size.next).toBe(100);
  });
});

describe('batches per engine', () => {
  const grown = (size: BatchSize) => {
    for (let i = 0; i < 20; i++) size.took(1, size.next, size.next);
    return size.next;
  };

  it('keep SQLite batches short (they hold the event loop) and let PostgreSQL ones grow', () => {
    expect(grown(batchSizeFor(CAPABILITIES.sqlite))).toBe(2_000);
    expect(grown(batchSizeFor(CAPABILITIES.postgres))).toBe(10_000);
    // A 100 ms batch is too long on SQLite, well within PostgreSQL's target.
    const sqlite = batchSizeFor(CAPABILITIES.sqlite);
    const postgres = batchSizeFor(CAPABILITIES.postgres);
    sqlite.took(100, sqlite.next, sqlite.next);
    postgres.took(100, postgres.next, postgres.next);
    expect(sqlite.next).toBeLessThan(postgres.next);
  });
});
