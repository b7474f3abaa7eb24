/**
 * The one error catalogue. A catalogue code is the HTTP status × 100 plus a two-digit reason,
 * as in the GES Engagement API, so a client can branch on `status.code` alone.
 */
export const ERROR_CATALOGUE = {
  INVALID_PARAMETER: { code: 40001, http: 400, message: 'Invalid parameter' },
  MISSING_PARAMETER: { code: 40002, http: 400, message: 'Missing parameter' },
  INVALID_PHONE_NUMBER: { code: 40003, http: 400, message: 'Invalid phone number' },
  PHONE_NUMBER_NOT_PERMITTED: { code: 40004, http: 400, message: 'Phone number not permitted' },
  CAPTCHA_FAILED: { code: 40005, http: 400, message: 'CAPTCHA verification failed' },
  MALFORMED_BODY: { code: 40006, http: 400, message: 'Malformed request body' },
  MALFORMED_REQUEST: { code: 40007, http: 400, message: 'Malformed request' },
  MISSING_API_KEY: { code: 40101, http: 401, message: 'Missing API key' },
  INVALID_API_KEY: { code: 40102, http: 401, message: 'Invalid API key' },
  NOT_AUTHENTICATED: { code: 40103, http: 401, message: 'Not logged in or session expired' },
  INVALID_CREDENTIALS: { code: 40104, http: 401, message: 'Invalid username or password' },
  NO_STATISTICS_CREDENTIALS: {
    code: 40105,
    http: 401,
    message: 'No statistics credentials registered',
  },
  ORIGIN_NOT_ALLOWED: { code: 40301, http: 403, message: 'Origin not allowed' },
  FORBIDDEN: { code: 40302, http: 403, message: 'Not allowed for this role or key scope' },
  KEY_KIND_FORBIDDEN: {
    code: 40303,
    http: 403,
    message: 'A browser API key cannot do this; use a server key',
  },
  CALLBACK_NOT_FOUND: { code: 40401, http: 404, message: 'Callback not found' },
  SERVICE_NOT_FOUND: { code: 40402, http: 404, message: 'Service not found' },
  NOT_FOUND: { code: 40403, http: 404, message: 'Resource not found' },
  METHOD_NOT_ALLOWED: { code: 40501, http: 405, message: 'Method not allowed' },
  REQUEST_TIMEOUT: { code: 40801, http: 408, message: 'The request took too long to arrive' },
  DUPLICATE_CALLBACK: { code: 40901, http: 409, message: 'Duplicate callback' },
  STATE_CONFLICT: { code: 40902, http: 409, message: 'The callback state does not allow this' },
  ALREADY_EXISTS: { code: 40903, http: 409, message: 'Already exists' },
  CONFLICT: { code: 40904, http: 409, message: 'The current state does not allow this' },
  PAYLOAD_TOO_LARGE: { code: 41301, http: 413, message: 'Request body too large' },
  URI_TOO_LONG: { code: 41401, http: 414, message: 'Request URL too long' },
  UNSUPPORTED_MEDIA_TYPE: { code: 41501, http: 415, message: 'Unsupported content type' },
  SLOT_FULL: { code: 42901, http: 429, message: 'The requested slot is full' },
  THROTTLED: { code: 42902, http: 429, message: 'Too many callbacks for this number' },
  QUEUE_FULL: { code: 42903, http: 429, message: 'The queue is full' },
  RATE_LIMITED: { code: 42904, http: 429, message: 'Too many requests' },
  CALL_IN_POOL_EXHAUSTED: {
    code: 42905,
    http: 429,
    message: 'Every call-in number and access code of the group is in use',
  },
  HEADERS_TOO_LARGE: { code: 43101, http: 431, message: 'Request headers too large' },
  INTERNAL: { code: 50001, http: 500, message: 'Internal error' },
  UPSTREAM_FAILED: { code: 50201, http: 502, message: 'Upstream service failed' },
  NOT_READY: { code: 50301, http: 503, message: 'Service not ready' },
} as const satisfies Record<string, { code: number; http: number; message: string }>;

export type ErrorKind = keyof typeof ERROR_CATALOGUE;

/** The one error type of the service; the HTTP layer alone turns it into the envelope. */
export class AppError extends Error {
  readonly kind: ErrorKind;
  readonly code: number;
  readonly http: number;
  /** Extra payload for the envelope's `data` (e.g. proposed slots on 42901). */
  readonly data: Record<string, unknown> | undefined;

  constructor(kind: ErrorKind, message?: string, data?: Record<string, unknown>) {
    const entry = ERROR_CATALOGUE[kind];
    // A refusal (4xx) is an answer, not a fault: nothing shows or logs its stack, and capturing
    // one was the largest single cost of the 401 path (7 % of its CPU).
    const stackLimit = Error.stackTraceLimit;
    if (entry.http < 500) Error.stackTraceLimit = 0;
    super(message ?? entry.message);
    Error.stackTraceLimit = stackLimit;
    this.name = 'AppError';
    this.kind = kind;
    this.code = entry.code;
    this.http = entry.http;
    this.data = data;
  }
}

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;
