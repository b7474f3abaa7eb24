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

// Admin API answers: the server's own response schemas' types (src/http/schemas/).
export type { Role, Session } from '../../src/http/schemas/access.js';
export type {
  CallbackDetail,
  CallbackPage,
  CallbackSummary,
} from '../../src/http/schemas/callbacks.js';
export type { SlotReport, SlotUse } from '../../src/http/schemas/queue-tools.js';
export type { ErrorDetail, ErrorPage, ErrorSummary } from '../../src/http/schemas/errors-log.js';

// One list of states for the server and the console.
export { CALLBACK_STATES, type CallbackState } from '../../src/domain/booking.js';
