import { describe, expect, it } from 'vitest';
import { BatchSize } from '../../../src/services/batch-size.js';

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
