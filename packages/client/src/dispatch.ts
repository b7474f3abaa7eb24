import {
  Transport,
  type CallOptions,
  type ClientOptions,
  type PathsUnder,
  type PostBody,
} from './transport.js';

export { OpenCallbackError } from './errors.js';
export type { CallOptions, ClientOptions, RetryPolicy } from './transport.js';

type Dispatch = PathsUnder<'/dispatch/v1/'>;

export type ClaimRequest = PostBody<'/dispatch/v1/claim'>;
export type AgentsReport = PostBody<'/dispatch/v1/agents'>;
export type Outcome = PostBody<'/dispatch/v1/callbacks/{id}/finish'>['outcome'];
export type FinishResult = PostBody<'/dispatch/v1/finish'>['results'][number];
export type DispatchedCallback = Awaited<ReturnType<DispatchClient['start']>>;

/**
 * The dispatch API for dialers and agent desktops: claim callbacks with a lease, place the call,
 * report the outcome. Every call changes state, so none is retried; the caller decides.
 */
export class DispatchClient {
  private readonly transport: Transport<Dispatch>;

  constructor(options: ClientOptions) {
    this.transport = new Transport<Dispatch>(options);
  }

  /** The openapi-fetch client over every dispatch path, for what the helpers do not cover. */
  get api() {
    return this.transport.api;
  }

  /**
   * Claims up to `maxCallbacks` of the queues (→ ROUTING, leased to this key). With `waitSeconds`
   * the service holds the request until one is due or the wait ends (long poll); abort the
   * signal to stop waiting.
   */
  claim(body: ClaimRequest, options: CallOptions = {}) {
    return this.transport.call((signal) => this.api.POST('/dispatch/v1/claim', { body, signal }), {
      ...options,
      retry: false,
    });
  }

  /** The call is being placed (ROUTING → PROCESSING). */
  start(id: string, options: CallOptions = {}) {
    return this.transport.call(
      (signal) =>
        this.api.POST('/dispatch/v1/callbacks/{id}/start', { params: { path: { id } }, signal }),
      { ...options, retry: false },
    );
  }

  /** Starts many held callbacks in one request; each is answered on its own. */
  startMany(ids: string[], options: CallOptions = {}) {
    return this.transport.call(
      (signal) => this.api.POST('/dispatch/v1/start', { body: { ids }, signal }),
      { ...options, retry: false },
    );
  }

  /** Ends an attempt with its outcome. */
  finish(id: string, outcome: Outcome, options: CallOptions = {}) {
    return this.transport.call(
      (signal) =>
        this.api.POST('/dispatch/v1/callbacks/{id}/finish', {
          params: { path: { id } },
          body: { outcome },
          signal,
        }),
      { ...options, retry: false },
    );
  }

  /** Ends many attempts in one request; each is answered on its own. */
  finishMany(results: FinishResult[], options: CallOptions = {}) {
    return this.transport.call(
      (signal) => this.api.POST('/dispatch/v1/finish', { body: { results }, signal }),
      { ...options, retry: false },
    );
  }

  /** Gives a claimed callback back to its queue, keeping its place. */
  release(id: string, options: CallOptions = {}) {
    return this.transport.call(
      (signal) =>
        this.api.POST('/dispatch/v1/callbacks/{id}/release', { params: { path: { id } }, signal }),
      { ...options, retry: false },
    );
  }

  /** Reports the agents logged in and available for a queue (feeds the estimated wait). */
  agents(body: AgentsReport, options: CallOptions = {}) {
    return this.transport.call((signal) => this.api.POST('/dispatch/v1/agents', { body, signal }), {
      ...options,
      retry: false,
    });
  }
}
