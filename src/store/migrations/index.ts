import type { Migration } from 'kysely';
import type { Engine } from '../engine.js';
import { foundation } from './0001_foundation.js';
import { booking } from './0002_booking.js';

/** Every migration in order; names sort by their number prefix. */
export function migrations(engine: Engine): Record<string, Migration> {
  return {
    '0001_foundation': foundation(engine),
    '0002_booking': booking(engine),
  };
}
