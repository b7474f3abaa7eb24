import {
  Transport,
  type CallOptions,
  type ClientOptions,
  type GetQuery,
  type PathsUnder,
  type PostBody,
} from './transport.js';

export { OpenCallbackError } from './errors.js';
export type { CallOptions, ClientOptions, RetryPolicy } from './transport.js';

type Engagement = PathsUnder<'/engagement/v3/'>;

export type BookRequest = PostBody<'/engagement/v3/callbacks/create'>;
export type RescheduleRequest = PostBody<'/engagement/v3/callbacks/reschedule'>;
export type QueryRequest = PostBody<'/engagement/v3/callbacks/query'>;
export type AvailabilityQuery = GetQuery<'/engagement/v3/callbacks/availability/{serviceName}'>;
export type OpenForQuery = GetQuery<'/engagement/v3/callbacks/open-for/{serviceName}'>;
export type EstimatedWaitTimeQuery = GetQuery<'/engagement/v3/estimated-wait-time'>;

/**
 * The GES-compatible Engagement API: what a web site, an IVR or a CRM books and looks up callbacks
 * with. Reads are retried on throttling and gateway errors; bookings and changes never are.
 */
export class EngagementClient {
  private readonly transport: Transport<Engagement>;

  constructor(options: ClientOptions) {
    this.transport = new Transport<Engagement>(options);
  }

  /** The openapi-fetch client over every Engagement path, for what the helpers do not cover. */
  get api() {
    return this.transport.api;
  }

  /** Books a callback (immediate, or at `desiredTime`). */
  book(body: BookRequest, options: CallOptions = {}) {
    return this.transport.call(
      (signal) => this.api.POST('/engagement/v3/callbacks/create', { body, signal }),
      { ...options, retry: false },
    );
  }

  /** Cancels a callback that has not been completed. */
  cancel(id: string, options: CallOptions = {}) {
    return this.transport.call(
      (signal) => this.api.POST('/engagement/v3/callbacks/cancel', { body: { id }, signal }),
      { ...options, retry: false },
    );
  }

  /** One callback with its state, position in queue and estimated wait. */
  retrieve(id: string, options: CallOptions = {}) {
    return this.transport.call(
      (signal) => this.api.POST('/engagement/v3/callbacks/retrieve', { body: { id }, signal }),
      { ...options, retry: true },
    );
  }

  /** Moves a scheduled callback to another time. */
  reschedule(body: RescheduleRequest, options: CallOptions = {}) {
    return this.transport.call(
      (signal) => this.api.POST('/engagement/v3/callbacks/reschedule', { body, signal }),
      { ...options, retry: false },
    );
  }

  /** Callbacks by phone number, queue and state. */
  query(body: QueryRequest, options: CallOptions = {}) {
    return this.transport.call(
      (signal) => this.api.POST('/engagement/v3/callbacks/query', { body, signal }),
      { ...options, retry: true },
    );
  }

  /** Free slots of a queue, in `query.timezone` (the queue's own by default). */
  availability(serviceName: string, query: AvailabilityQuery = {}, options: CallOptions = {}) {
    return this.transport.call(
      (signal) =>
        this.api.GET('/engagement/v3/callbacks/availability/{serviceName}', {
          params: { path: { serviceName }, query },
          signal,
        }),
      { ...options, retry: true },
    );
  }

  /** How long the queue stays open for callbacks from now (or from `query.start`). */
  openFor(serviceName: string, query: OpenForQuery = {}, options: CallOptions = {}) {
    return this.transport.call(
      (signal) =>
        this.api.GET('/engagement/v3/callbacks/open-for/{serviceName}', {
          params: { path: { serviceName }, query },
          signal,
        }),
      { ...options, retry: true },
    );
  }

  /** The current wait and which kinds of callback the queue offers now. */
  queueStatus(serviceName: string, options: CallOptions = {}) {
    return this.transport.call(
      (signal) =>
        this.api.GET('/engagement/v3/callbacks/queue-status/{serviceName}', {
          params: { path: { serviceName } },
          signal,
        }),
      { ...options, retry: true },
    );
  }

  /** Estimated wait time of one or more virtual queues (`virtual-queues`, comma separated). */
  estimatedWaitTime(query: EstimatedWaitTimeQuery, options: CallOptions = {}) {
    return this.transport.call(
      (signal) => this.api.GET('/engagement/v3/estimated-wait-time', { params: { query }, signal }),
      { ...options, retry: true },
    );
  }
}
