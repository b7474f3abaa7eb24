/** A webhook receiver that records deliveries and answers with a chosen status per attempt. */
import { startHttpFake, type RecordedRequest } from './http-fake.js';

export interface WebhookReceiver {
  /** URL to subscribe, e.g. http://127.0.0.1:40123/hooks. */
  readonly url: string;
  readonly deliveries: RecordedRequest[];
  /** Statuses for the next deliveries, in order; afterwards 200. */
  respondWith(...statuses: number[]): void;
  /** Delay every answer (to exercise sender timeouts). */
  setDelayMs(ms: number): void;
  close(): Promise<void>;
}

/** Start the receiver on 127.0.0.1 with a random port. */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const statuses: number[] = [];
  let delayMs = 0;
  const server = await startHttpFake(() => ({
    status: statuses.shift() ?? 200,
    text: 'ok',
    ...(delayMs > 0 ? { delayMs } : {}),
  }));
  return {
    url: `${server.url}/hooks`,
    deliveries: server.requests,
    respondWith: (...next) => statuses.push(...next),
    setDelayMs: (ms) => {
      delayMs = ms;
    },
    close: () => server.close(),
  };
}
