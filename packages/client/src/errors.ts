/** The GES envelope's status block, as every answer of the service carries it. */
interface EnvelopeStatus {
  code: number;
  message: string;
  corrId: string;
}

/** What the service answered when it refused or failed a call. */
export class OpenCallbackError extends Error {
  override readonly name = 'OpenCallbackError';

  constructor(
    /** The catalogue code (`status.code`, e.g. 40001); 0 when the body was not the service's envelope (a proxy's 502). */
    readonly code: number,
    message: string,
    /** The correlation ID to quote to the operator (`status.corrId`, else the `x-correlation-id` header). */
    readonly corrId: string | undefined,
    /** The HTTP status. */
    readonly status: number,
    /** The envelope's `data`, when the error carries some (a 429 on create lists free slots). */
    readonly data: unknown,
    /** How long the service asked to wait before trying again (`Retry-After`), in milliseconds. */
    readonly retryAfterMs: number | undefined,
  ) {
    super(message);
  }

  /** Builds the error from a response that was not 2xx and its (already parsed) body. */
  static fromResponse(response: Response, body: unknown): OpenCallbackError {
    const status = envelopeStatus(body);
    const corrId = status?.corrId ?? response.headers.get('x-correlation-id') ?? undefined;
    const data = isRecord(body) ? body.data : undefined;
    return new OpenCallbackError(
      status?.code ?? 0,
      status?.message ?? `HTTP ${response.status} ${response.statusText}`.trim(),
      corrId,
      response.status,
      data,
      retryAfterMs(response.headers.get('retry-after')),
    );
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function envelopeStatus(body: unknown): EnvelopeStatus | undefined {
  if (!isRecord(body) || !isRecord(body.status)) return undefined;
  const { code, message, corrId } = body.status;
  if (typeof code !== 'number' || typeof message !== 'string') return undefined;
  return { code, message, corrId: typeof corrId === 'string' ? corrId : '' };
}

/** `Retry-After` as delta-seconds or an HTTP date, in milliseconds from now. */
function retryAfterMs(header: string | null): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}
