import type { Generated } from 'kysely';
import type { CallbackState } from '../domain/callback-state.js';

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
  /** `browser` (may sit in a web page) or `server`; see AccessService. */
  kind: string;
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
  /** Set while the user is disabled: no login, no session. */
  disabled_at: number | null;
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
  /** For a failure without a valid key: the presented key's prefix that matched this tenant's key. */
  key_prefix: string | null;
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
  state: CallbackState;
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
  /** When the current attempt was claimed by a dialer (wait-time statistics). */
  claimed_at: number | null;
  /** When CALLBACK_UPCOMING was raised, so it is raised once. */
  upcoming_notified_at: number | null;
  created_at: number;
  updated_at: number;
  completed_at: number | null;
}

/** Never fewer than the queue's active immediate callbacks (see migration 0007). */
export interface ImmediateQueueBoundsTable {
  tenant_id: string;
  service_name: string;
  bound: number;
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

/** The events not yet handed to webhooks and push (migration 0008). */
export interface CallbackEventOutboxTable {
  event_id: number;
}

export interface AgentsTable {
  tenant_id: string;
  service_name: string;
  logged_in: number;
  available: number;
  reported_at: number;
}

export interface WebhooksTable {
  id: string;
  tenant_id: string;
  url: string;
  /** The signing secret, sealed with the master key. */
  secret: string;
  /** JSON list of event types, or ["*"]. */
  events: string;
  created_at: number;
}

export interface WebhookDeliveriesTable {
  id: string;
  tenant_id: string;
  webhook_id: string;
  event_id: number;
  event_type: string;
  payload: string;
  status: string;
  attempts: number;
  next_attempt_at: number;
  last_status: number | null;
  last_error: string | null;
  created_at: number;
  delivered_at: number | null;
}

export interface QueueJobStateTable {
  tenant_id: string;
  service_name: string;
  job: string;
  /** The instant up to which the job has done its work for this queue. */
  done_until: number;
}

export interface CredentialsTable {
  tenant_id: string;
  /** statistics | push-fcm | push-apns | captcha */
  feature: string;
  /** JSON: the non-secret fields, shown in the console. */
  settings: string;
  /** The secret, sealed with the master key (tenant and feature bound as additional data). */
  secret: string;
  /** Id of the master key that wraps `secret`, to find blobs that need re-wrapping. */
  key_id: string;
  /** Non-reversible tag of the secret, so an admin can tell whether it changed. */
  fingerprint: string;
  created_at: number;
  updated_at: number;
}

export interface PushDeliveriesTable {
  id: string;
  tenant_id: string;
  callback_id: string | null;
  event_type: string;
  /** fcm | apns */
  channel: string;
  /** The device token. */
  target: string;
  /** JSON: the notification (title, body, data). */
  message: string;
  /** pending | sending | sent | retry | failed */
  status: string;
  reason: string | null;
  attempts: number;
  next_attempt_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface CallInGroupsTable {
  tenant_id: string;
  name: string;
  /** JSON list of E.164 numbers. */
  numbers: string;
  access_code_enabled: number;
  access_code_length: number;
  expiry_seconds: number;
  source: string;
  created_at: number;
  updated_at: number;
}

export interface CallInRequestsTable {
  id: string;
  tenant_id: string;
  group_name: string;
  to_phone_number: string;
  access_code: string | null;
  from_phone_number: string | null;
  /** JSON string map. */
  user_data: string;
  callback_service_id: string | null;
  /** live | matched (an expired live request is simply past expires_at). */
  status: string;
  expires_at: number;
  matched_at: number | null;
  created_at: number;
}

/** Requests counted in one fixed window of one rate-limit bucket. */
export interface RateLimitCountersTable {
  /** `<tenant>:<scope>:<class>:<who>`, e.g. `acme:ip:create:203.0.113.7`. */
  bucket: string;
  window_start: number;
  hits: number;
  /** When the window ends: the row is useless after it. */
  expires_at: number;
}

export interface AdminJobsTable {
  id: string;
  tenant_id: string;
  /** purge | bulk-cancel */
  kind: string;
  /** JSON: what the job works on (queue name, bulk-cancel selection). */
  params: string;
  /** JSON: who started it, for the audit record written when it ends. */
  actor: string;
  /** queued | running | succeeded | failed */
  state: string;
  done: number;
  /** How many the job expected when it started (null until counted). */
  total: number | null;
  error: string | null;
  lease_owner: string | null;
  lease_expires_at: number | null;
  attempts: number;
  created_at: number;
  started_at: number | null;
  updated_at: number;
  finished_at: number | null;
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
  immediate_queue_bounds: ImmediateQueueBoundsTable;
  callback_events: CallbackEventsTable;
  callback_event_outbox: CallbackEventOutboxTable;
  agents: AgentsTable;
  webhooks: WebhooksTable;
  webhook_deliveries: WebhookDeliveriesTable;
  queue_job_state: QueueJobStateTable;
  credentials: CredentialsTable;
  push_deliveries: PushDeliveriesTable;
  call_in_groups: CallInGroupsTable;
  call_in_requests: CallInRequestsTable;
  admin_jobs: AdminJobsTable;
  rate_limit_counters: RateLimitCountersTable;
}
