import type { FetchResponse, MaybeOptionalInit } from 'openapi-fetch';
import {
  Transport,
  type CallOptions,
  type ClientOptions,
  type PathsUnder,
  type Reply,
  type Unwrapped,
} from './transport.js';

export { OpenCallbackError } from './errors.js';
export type { CallOptions, ClientOptions, RetryPolicy } from './transport.js';

type Admin = PathsUnder<'/admin/v1/'>;
type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** Admin paths that answer `M`. */
export type AdminPath<M extends Method> = {
  [P in keyof Admin]: Admin[P] extends Record<M, object> ? P : never;
}[keyof Admin];

/** What a request of `M` to `P` takes: params (path, query), body, and the signal. */
export type AdminInit<M extends Method, P extends AdminPath<M>> = MaybeOptionalInit<Admin[P], M>;

/** The envelope's `data` of a successful `M` of `P`. */
export type AdminData<M extends Method, P extends AdminPath<M>> = Unwrapped<
  FetchResponse<Admin[P][M] & Record<string | number, unknown>, AdminInit<M, P>, 'application/json'>
>;

/** The init argument: optional when the operation needs no params or body. */
type InitArgs<M extends Method, P extends AdminPath<M>> =
  undefined extends AdminInit<M, P> ? [init?: AdminInit<M, P>] : [init: AdminInit<M, P>];

export interface AdminClientOptions extends ClientOptions {
  /** A console session (`oc_session` cookie value) instead of an admin-scope API key. */
  session?: string;
}

/**
 * The admin API, as the console and automation use it: a typed `request` over every admin path
 * and helpers for the common ones. GETs are retried on throttling and gateway errors.
 */
export class AdminClient {
  private readonly transport: Transport<Admin>;

  constructor(options: AdminClientOptions) {
    const cookie: Record<string, string> =
      options.session === undefined ? {} : { cookie: `oc_session=${options.session}` };
    this.transport = new Transport<Admin>(options, cookie);
  }

  /** The openapi-fetch client over every admin path. */
  get api() {
    return this.transport.api;
  }

  /** Any admin operation, typed from the service's OpenAPI document. */
  request<M extends Method, P extends AdminPath<M>>(
    method: M,
    path: P,
    ...[init]: InitArgs<M, P>
  ): Promise<AdminData<M, P>> {
    const options = (init ?? {}) as CallOptions & Record<string, unknown>;
    // openapi-fetch checks the init against the path; that was done on our own signature above.
    const send = this.transport.api.request as unknown as (
      method: Method,
      path: string,
      init: Record<string, unknown>,
    ) => Promise<Reply>;
    return this.transport.call((signal) => send(method, path, { ...options, signal }), {
      signal: options.signal,
      retry: method === 'get',
    }) as Promise<AdminData<M, P>>;
  }

  /** Callbacks of a time range, newest first, narrowed by queue, state, phone number… */
  searchCallbacks(
    query: Admin['/admin/v1/callbacks']['get']['parameters']['query'] = {},
    options: CallOptions = {},
  ) {
    return this.request('get', '/admin/v1/callbacks', { params: { query }, ...options });
  }

  /** One callback with its history. */
  getCallback(id: string, options: CallOptions = {}) {
    return this.request('get', '/admin/v1/callbacks/{id}', {
      params: { path: { id } },
      ...options,
    });
  }

  /** Cancels a callback (reason CANCELLED_BY_ADMIN). */
  cancelCallback(id: string, options: CallOptions = {}) {
    return this.request('post', '/admin/v1/callbacks/{id}/cancel', {
      params: { path: { id } },
      ...options,
    });
  }

  /** Every queue of the tenant. */
  listQueues(options: CallOptions = {}) {
    return this.request('get', '/admin/v1/queues', options);
  }

  /** One queue's settings. */
  getQueue(name: string, options: CallOptions = {}) {
    return this.request('get', '/admin/v1/queues/{name}', {
      params: { path: { name } },
      ...options,
    });
  }

  /** Starts purging a queue; follow the job with `getJob`. */
  purgeQueue(name: string, options: CallOptions = {}) {
    return this.request('post', '/admin/v1/queues/{name}/purge', {
      params: { path: { name } },
      ...options,
    });
  }

  /** A purge or bulk-cancel job: state, done and total. */
  getJob(id: string, options: CallOptions = {}) {
    return this.request('get', '/admin/v1/jobs/{id}', { params: { path: { id } }, ...options });
  }
}
