import type { Generated } from 'kysely';

// Instants are epoch milliseconds (BIGINT on PostgreSQL, INTEGER on SQLite): one representation
// on both engines, cheap to compare and index. JSON documents are stored as text.

export interface TenantsTable {
  id: string;
  name: string;
  timezone: string;
  /** JSON: tenant-wide settings (e.g. captchaRequired). */
  settings: string;
  /** Where the tenant came from: 'config' (operator file) or 'cli'. */
  source: string;
  created_at: number;
  config_refreshed_at: number | null;
  config_error: string | null;
}

export interface ApiKeysTable {
  id: string;
  tenant_id: string;
  name: string;
  scope: string;
  key_hash: string;
  key_prefix: string;
  created_at: number;
  revoked_at: number | null;
  last_used_at: number | null;
}

export interface UsersTable {
  id: string;
  tenant_id: string;
  username: string;
  password_hash: string;
  role: string;
  created_at: number;
}

export interface SessionsTable {
  token_hash: string;
  tenant_id: string;
  user_id: string;
  created_at: number;
  last_seen_at: number;
}

export interface CorsOriginsTable {
  tenant_id: string;
  origin: string;
  source: string;
  created_at: number;
}

export interface ErrorLogTable {
  id: string;
  tenant_id: string;
  corr_id: string;
  method: string;
  url: string;
  http_status: number;
  code: number;
  message: string;
  /** JSON: redacted request headers and body. */
  request: string;
  /** JSON: the response body sent. */
  response: string;
  created_at: number;
}

export interface AuditLogTable {
  id: string;
  tenant_id: string;
  actor: string;
  action: string;
  target: string;
  before: string | null;
  after: string | null;
  created_at: number;
}

export interface SystemStateTable {
  key: string;
  value: string;
}

export interface QueuesTable {
  tenant_id: string;
  name: string;
  /** JSON: the queue settings document (SPEC "Queue settings"). */
  settings: string;
  source: string;
  created_at: number;
  updated_at: number;
}

export interface CallbacksTable {
  id: string;
  tenant_id: string;
  service_name: string;
  phone_number: string;
  desired_time: number;
  /** When the customer first asked: the queue order key that a retry keeps. */
  requested_at: number;
  immediate: number;
  state: string;
  reason: string | null;
  priority: number;
  attempts: number;
  /** Start of the booked slot for scheduled callbacks (capacity accounting). */
  slot_start: number | null;
  user_data: string;
  /** JSON: the reporting fields of the create request. */
  details: string;
  lease_owner: string | null;
  lease_expires_at: number | null;
  created_at: number;
  updated_at: number;
  completed_at: number | null;
}

export interface CallbackEventsTable {
  id: Generated<number>;
  tenant_id: string;
  callback_id: string;
  type: string;
  /** JSON snapshot of the callback after the change. */
  payload: string;
  created_at: number;
}

export interface Database {
  tenants: TenantsTable;
  api_keys: ApiKeysTable;
  users: UsersTable;
  sessions: SessionsTable;
  cors_origins: CorsOriginsTable;
  error_log: ErrorLogTable;
  audit_log: AuditLogTable;
  system_state: SystemStateTable;
  queues: QueuesTable;
  callbacks: CallbacksTable;
  callback_events: CallbackEventsTable;
}
