// A reference dialer: the integration a contact center writes first. It keeps N lines busy with
// callbacks claimed from the dispatch API (long poll), places each call (simulated here: put your
// telephony in `placeCall`), reports the outcome, and on SIGTERM/SIGINT stops claiming, lets the
// calls in progress end, and gives back every callback it holds but has not started.
//
//   OC_BASE_URL=http://localhost:3000 OC_DISPATCH_KEY=... \
//     npx tsx examples/dialer.ts --queues support,sales --lines 4
//
// The simulation reads two optional userData fields of a callback: `simulatedOutcome` (one of the
// outcomes, AGENT_CONNECTED by default) and `simulatedDialMs` (how long getting a line takes).
import { parseArgs } from 'node:util';
import {
  DispatchClient,
  OpenCallbackError,
  type DispatchedCallback,
  type Outcome,
} from '@opencallback/client/dispatch';

interface DialerOptions {
  client: DispatchClient;
  queues: string[];
  /** Calls placed at once. */
  lines: number;
  /** How long a claimed callback stays ours before the service hands it to another dialer. */
  leaseSeconds: number;
  /** How long one claim waits for a callback to become due (long poll). */
  waitSeconds: number;
  /** Places the call; resolves with the outcome once it ended. */
  placeCall: (callback: DispatchedCallback) => Promise<Outcome>;
  /** Waits before dialing (a free trunk, pacing); a stop during it leaves the callback unstarted. */
  prepareCall: (callback: DispatchedCallback, stop: AbortSignal) => Promise<void>;
  log: (event: string, fields?: Record<string, unknown>) => void;
}

/** Runs until `stop` is aborted, then returns once every callback it held was finished or released. */
export async function runDialer(options: DialerOptions, stop: AbortSignal): Promise<void> {
  const { client, log } = options;
  /** Claimed and not yet started: what a stop must give back. */
  const unstarted = new Set<string>();
  const calls = new Set<Promise<void>>();

  const handle = async (callback: DispatchedCallback): Promise<void> => {
    try {
      await options.prepareCall(callback, stop);
      if (stop.aborted) return;
      // From here the call goes ahead even if a stop comes: a customer on the line is not cut off.
      await client.start(callback.id);
      unstarted.delete(callback.id);
      log('started', { id: callback.id, phoneNumber: callback.phoneNumber });
      const outcome = await options.placeCall(callback);
      await client.finish(callback.id, outcome);
      log('finished', { id: callback.id, outcome });
    } catch (error) {
      // The lease will expire and the service hands the callback out again.
      log('call failed', { id: callback.id, error: describe(error) });
    }
  };

  while (!stop.aborted) {
    const free = options.lines - calls.size;
    if (free === 0) {
      await Promise.race(calls);
      continue;
    }
    let claimed: DispatchedCallback[];
    try {
      const answer = await client.claim(
        {
          serviceNames: options.queues,
          leaseSeconds: options.leaseSeconds,
          waitSeconds: options.waitSeconds,
          maxCallbacks: free,
        },
        { signal: stop },
      );
      claimed = answer.callbacks;
    } catch (error) {
      if (stop.aborted) break;
      log('claim failed', { error: describe(error) });
      await pause(1000, stop);
      continue;
    }
    for (const callback of claimed) {
      unstarted.add(callback.id);
      log('claimed', { id: callback.id, serviceName: callback.serviceName });
      const call = handle(callback).finally(() => calls.delete(call));
      calls.add(call);
    }
  }

  log('stopping', { inProgress: calls.size });
  await Promise.all(calls);
  // The aborted long poll ended on the service when its connection closed: nothing released
  // here is claimed again by it.
  for (const id of unstarted) {
    try {
      await client.release(id);
      log('released', { id });
    } catch (error) {
      log('release failed', { id, error: describe(error) });
    }
  }
}

/** The simulated call: a short ring, then the outcome the callback's userData asks for. */
async function simulatedCall(callback: DispatchedCallback, callMs: number): Promise<Outcome> {
  await pause(callMs);
  // The service checks the outcome: a wrong one comes back as an OpenCallbackError in the log.
  return (callback.userData.simulatedOutcome ?? 'AGENT_CONNECTED') as Outcome;
}

function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}

function describe(error: unknown): string {
  if (error instanceof OpenCallbackError) return `${error.code} ${error.message} (${error.corrId})`;
  return error instanceof Error ? error.message : String(error);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      queues: { type: 'string' },
      lines: { type: 'string', default: '4' },
      lease: { type: 'string', default: '60' },
      wait: { type: 'string', default: '20' },
      'call-ms': { type: 'string', default: '2000' },
    },
  });
  const baseUrl = process.env.OC_BASE_URL;
  const apiKey = process.env.OC_DISPATCH_KEY;
  if (!baseUrl || !apiKey || !values.queues) {
    process.stderr.write('Set OC_BASE_URL and OC_DISPATCH_KEY, and pass --queues a,b\n');
    process.exit(2);
  }
  const stop = new AbortController();
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => stop.abort());
  const callMs = Number(values['call-ms']);
  await runDialer(
    {
      client: new DispatchClient({ baseUrl, apiKey }),
      queues: values.queues.split(','),
      lines: Number(values.lines),
      leaseSeconds: Number(values.lease),
      waitSeconds: Number(values.wait),
      placeCall: (callback) => simulatedCall(callback, callMs),
      prepareCall: (callback, signal) =>
        pause(Number(callback.userData.simulatedDialMs ?? 0), signal),
      // One JSON line per event: easy to read, easy to ship to a log system.
      log: (event, fields = {}) =>
        process.stdout.write(
          `${JSON.stringify({ time: new Date().toISOString(), event, ...fields })}\n`,
        ),
    },
    stop.signal,
  );
  process.stdout.write(`${JSON.stringify({ event: 'stopped' })}\n`);
}

if (process.argv[1] === import.meta.filename) await main();
