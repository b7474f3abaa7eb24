import type { CallbackState } from '../../src/domain/booking.js';
// Shapes of the admin API as the console reads them. Queue settings reuse the server's own
// types (type-only imports: nothing of the server is bundled).
export type {
  BusinessHours,
  CapacityRule,
  NumberRule,
  QueueSettings,
  TimeInterval,
  Weekday,
} from '../../src/domain/queue-settings.js';

export type Role = 'Administrator' | 'Supervisor' | 'Developer' | 'Monitor';

export interface Session {
  tenant: string;
  username: string;
  role: Role;
  idleTimeoutSeconds: number;
  /** The tenant's IANA zone, the default display zone. */
  timezone: string;
}

// One list of states for the server and the console.
export { CALLBACK_STATES, type CallbackState } from '../../src/domain/booking.js';

export interface CallbackSummary {
  id: string;
  serviceName: string;
  phoneNumber: string;
  state: CallbackState;
  reason: string | null;
  desiredTime: string;
  immediate: boolean;
  priority: number;
  attempts: number;
  createdAt: string;
  updatedAt: string;
  completedAt: string | null;
}

export interface CallbackDetail extends CallbackSummary {
  userData: Record<string, string> | null;
  details: Record<string, unknown> | null;
  history: { type: string; at: string; snapshot: Record<string, unknown> | null }[];
}

export interface CallbackPage {
  items: CallbackSummary[];
  nextBefore?: string;
  from: string;
  to: string;
  now: string;
  timezone: string;
}

export interface SlotUse {
  utcTime: string;
  localTime: string;
  capacity: number;
  free: number;
  booked: number;
}

export interface SlotReport {
  timezone: string;
  durationMin: number;
  /** The period covered (now to the end of the last day), closed hours included. */
  from: string;
  to: string;
  slots: SlotUse[];
}
