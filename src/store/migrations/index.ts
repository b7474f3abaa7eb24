import type { Migration } from 'kysely';
import type { Engine } from '../engine.js';
import { foundation } from './0001_foundation.js';
import { booking } from './0002_booking.js';
import { lifecycle } from './0003_lifecycle.js';
import { integrations } from './0004_integrations.js';
import { retentionIndex } from './0005_retention_index.js';
import { waitingIndexes } from './0006_waiting_indexes.js';
import { immediateBounds } from './0007_immediate_bounds.js';
import { eventOutbox } from './0008_event_outbox.js';
import { accessHardening } from './0009_access_hardening.js';
import { adminJobs } from './0011_admin_jobs.js';
import { numberPatterns } from './0012_number_patterns.js';
import { rateLimits } from './0010_rate_limits.js';

/** Every migration in order; names sort by their number prefix. */
export function migrations(engine: Engine): Record<string, Migration> {
  return {
    '0001_foundation': foundation(engine),
    '0002_booking': booking(engine),
    '0003_lifecycle': lifecycle(engine),
    '0004_integrations': integrations(engine),
    '0005_retention_index': retentionIndex(),
    '0006_waiting_indexes': waitingIndexes(),
    '0007_immediate_bounds': immediateBounds(),
    '0008_event_outbox': eventOutbox(engine),
    '0009_access_hardening': accessHardening(),
    '0010_rate_limits': rateLimits(engine),
    '0011_admin_jobs': adminJobs(),
    '0012_number_patterns': numberPatterns(),
  };
}
