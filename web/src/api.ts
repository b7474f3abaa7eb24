/** A failed admin API call, carrying the catalogue code and correlation ID of the envelope. */
export class ApiError extends Error {
  constructor(
    readonly http: number,
    readonly code: number,
    message: string,
    readonly corrId: string,
    readonly data?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The server has no such route yet (a feature another release brings). */
  get missingRoute(): boolean {
    return this.http === 404 && this.message.startsWith('No route');
  }
}

interface Envelope {
  status?: { code?: number; message?: string; corrId?: string };
  data?: unknown;
}

const BASE = '/admin/v1';
const SESSION_ENDED = 40103;

let onSessionEnded: () => void = () => undefined;

/** Sets what happens when any call finds the session gone (idle timeout, logout elsewhere). */
export function whenSessionEnds(handler: () => void): void {
  onSessionEnded = handler;
}

/** Calls the admin API and returns the envelope's data, or throws ApiError. */
export async function api<T>(
  path: string,
  opts: { method?: string; body?: unknown; quietSessionEnd?: boolean } = {},
): Promise<T> {
  const init: RequestInit = {
    method: opts.method ?? (opts.body === undefined ? 'GET' : 'POST'),
    credentials: 'same-origin',
    headers: opts.body === undefined ? {} : { 'content-type': 'application/json' },
  };
  if (opts.body !== undefined) init.body = JSON.stringify(opts.body);
  let res: Response;
  try {
    res = await fetch(`${BASE}${path}`, init);
  } catch {
    throw new ApiError(
      0,
      0,
      'The server cannot be reached. Check the connection and try again.',
      '',
    );
  }
  const envelope = (await res.json().catch(() => ({}))) as Envelope;
  const status = envelope.status ?? {};
  const code = status.code ?? (res.ok ? 0 : res.status * 100);
  if (res.ok && code === 0) return envelope.data as T;
  const error = new ApiError(
    res.status,
    code,
    status.message ?? res.statusText,
    status.corrId ?? res.headers.get('x-correlation-id') ?? '',
    envelope.data,
  );
  if (code === SESSION_ENDED && opts.quietSessionEnd !== true) onSessionEnded();
  throw error;
}

/** A query string from defined, non-empty values. */
export function query(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== '') q.set(k, String(v));
  }
  const text = q.toString();
  return text === '' ? '' : `?${text}`;
}

/** The admin URL of a path (for downloads the browser fetches itself). */
export const adminUrl = (path: string) => `${BASE}${path}`;

/** A readable sentence for any thrown value (plain words: the code stays out of the text). */
export function messageOf(error: unknown): string {
  if (error instanceof ApiError) return plainWords(error.message);
  return error instanceof Error ? error.message : String(error);
}

// The API's wording is written for developers; the console says the same in everyday words.
const PLAIN: [RegExp, string][] = [
  [/\bis not an IANA time zone\b/g, 'is not a time zone name we know'],
  [/\ban IANA time zone\b/g, 'a time zone name'],
  [/\bE\.164\b/g, 'international format'],
];

/** The API's message in the console's words. */
export function plainWords(message: string): string {
  return PLAIN.reduce((text, [pattern, plain]) => text.replace(pattern, plain), message);
}

/** Field problems of a refused settings change ("slotCapacity: must be …; name: …"), by path. */
export function fieldIssues(error: unknown): Record<string, string> | undefined {
  if (!(error instanceof ApiError) || error.code !== 40001) return undefined;
  const issues: Record<string, string> = {};
  for (const part of error.message.split(/; (?=[\w.[\]]+: )/)) {
    const m = /^([\w.[\]]+): (.*)$/s.exec(part);
    if (m?.[1] !== undefined && m[2] !== undefined) issues[m[1]] = plainWords(m[2]);
  }
  return Object.keys(issues).length === 0 ? undefined : issues;
}
