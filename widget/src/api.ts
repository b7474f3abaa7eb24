// The few Engagement API calls a browser key may make. Response shapes are the service's own
// (see src/http/routes/engagement); the generated typed client will replace these interfaces.

export interface QueueStatus {
  ewt: number;
  offerImmediateCallback: boolean;
  offerScheduledCallback: boolean;
}
export interface Slot {
  utcTime: string;
  localTime: string;
  capacity: number;
  total: number;
}
export interface Availability {
  slots: Slot[];
  durationMin: number;
  timezone: string;
  serviceTimezone: string;
}
export interface CaptchaConfig {
  required: boolean;
  provider?: 'recaptcha' | 'hcaptcha' | 'turnstile';
  siteKey?: string;
}
export interface CallbackView {
  id: string;
  desiredTime: string;
  callbackState: string;
  phoneNumber: string;
}
export interface CreateBody {
  serviceName: string;
  phoneNumber: string;
  desiredTime?: string;
  /** The widget offers only free slots, so it asks the service to hold it to that. */
  alwaysCheckCapacity?: boolean;
  language: string;
  captchaToken?: string;
}

/** An API refusal (its catalogue code and correlation id), or code 0 when nothing answered. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly corrId: string | undefined,
  ) {
    super(message);
  }
}

interface Envelope {
  status?: { code?: number; message?: string; corrId?: string };
  data?: unknown;
}

/** Calls of one widget: the key, the service origin and the base path are fixed. */
export class Api {
  private readonly base: string;

  constructor(
    baseUrl: string,
    private readonly key: string,
  ) {
    this.base = `${baseUrl.replace(/\/+$/, '')}/engagement/v3`;
  }

  private async call<T>(path: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(this.base + path, {
        method: body === undefined ? 'GET' : 'POST',
        headers: {
          'x-api-key': this.key,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? null : JSON.stringify(body),
        // A booking page has no business sending the visitor's cookies to the service.
        credentials: 'omit',
      });
    } catch (err) {
      throw new ApiError(0, String(err), undefined);
    }
    let json: Envelope;
    try {
      json = (await res.json()) as Envelope;
    } catch {
      throw new ApiError(res.ok ? 50001 : res.status * 100, res.statusText, undefined);
    }
    const code = json.status?.code ?? (res.ok ? 0 : res.status * 100);
    if (!res.ok || code !== 0) {
      throw new ApiError(code, json.status?.message ?? res.statusText, json.status?.corrId);
    }
    return json.data as T;
  }

  queueStatus(service: string) {
    return this.call<QueueStatus>(`/callbacks/queue-status/${encodeURIComponent(service)}`);
  }
  availability(service: string, days: number) {
    const q = `numberOfDays=${days}&reportBusy=true&maxTimeSlots=200`;
    return this.call<Availability>(`/callbacks/availability/${encodeURIComponent(service)}?${q}`);
  }
  captchaConfig() {
    return this.call<CaptchaConfig>('/captcha/config');
  }
  create(body: CreateBody) {
    return this.call<{ id: string }>('/callbacks/create', body);
  }
  retrieve(id: string) {
    return this.call<CallbackView>('/callbacks/retrieve', { id });
  }
  cancel(id: string) {
    return this.call<{ id: string }>('/callbacks/cancel', { id });
  }
}
