import type { Scenario } from './load.js';
import type { ScenarioName } from './options.js';
import { queueNames } from './queues.js';
import type { Phones } from './seed.js';

/** What the engagement scenarios need from the run. */
export interface EngagementContext {
  /** An engagement-scope API key. */
  key: string;
  phones: Phones;
  /** Bookable slot times (UTC ISO) of the coming week, as availability offers them now. */
  slotTimes: () => Promise<readonly string[]>;
  /** Ids of seeded callbacks, for retrieve. */
  seededIds: readonly string[];
}

/** Round-robin over a list, so requests spread evenly (over queues, slots, ids). */
function cycle<T>(items: readonly T[]): () => T {
  let i = 0;
  return () => {
    const item = items[i++ % items.length];
    if (item === undefined) throw new Error('cycle over an empty list');
    return item;
  };
}

const API = '/engagement/v3/callbacks';

/** The scenarios autocannon drives (the dialer and purge scenarios drive themselves). */
export type HttpScenarioName = Exclude<ScenarioName, 'dialer' | 'purge' | 'many-queues'>;

/**
 * The engagement API scenarios by `--only` name, each built when it is about to run. Every one
 * spreads its requests over the 50 queues, as a tenant's web visitors and booking forms do.
 */
export function engagementScenarios(
  ctx: EngagementContext,
): Record<HttpScenarioName, () => Promise<Scenario>> {
  const auth = { 'x-api-key': ctx.key };
  // What browsers, apps and the GES clients send; the identity scenario leaves it out.
  const compressed = { ...auth, 'accept-encoding': 'gzip, deflate, br' };
  const queue = cycle(queueNames);
  return {
    'queue-status': async () => ({
      name: 'queue-status',
      method: 'GET',
      path: () => `${API}/queue-status/${queue()}`,
      headers: auth,
    }),
    'error-path': async () => ({
      name: 'error-path (no key)',
      method: 'GET',
      path: () => `${API}/queue-status/${queue()}`,
    }),
    'create-immediate': async () => ({
      name: 'create-immediate',
      method: 'POST',
      path: () => `${API}/create`,
      headers: auth,
      body: () => ({ serviceName: queue(), phoneNumber: ctx.phones.next() }),
    }),
    'create-scheduled': async () => {
      const slot = cycle(await ctx.slotTimes());
      return {
        name: 'create-scheduled',
        method: 'POST',
        path: () => `${API}/create`,
        headers: auth,
        // The queues enforce slot capacity on create (enforceCapacityOnCreate).
        body: () => ({ serviceName: queue(), phoneNumber: ctx.phones.next(), desiredTime: slot() }),
      };
    },
    availability: async () => ({
      name: 'availability (7 days, br)',
      method: 'GET',
      path: () => `${API}/availability/${queue()}?numberOfDays=7`,
      headers: compressed,
    }),
    'availability-identity': async () => ({
      name: 'availability (7 days, identity)',
      method: 'GET',
      path: () => `${API}/availability/${queue()}?numberOfDays=7`,
      headers: auth,
    }),
    // The booking widget's own question (widget/src/api.ts): 200 slots, ~3 days of these queues.
    'availability-widget': async () => ({
      name: 'availability (widget, br)',
      method: 'GET',
      path: () => `${API}/availability/${queue()}?numberOfDays=7&reportBusy=true&maxTimeSlots=200`,
      headers: compressed,
    }),
    'open-for': async () => ({
      name: 'open-for (all flags)',
      method: 'GET',
      path: () =>
        `${API}/open-for/${queue()}?queryImmediateOfferHours=true&returnWithinImmediateOfferTime=true&checkImmediateEnabled=true`,
      headers: auth,
    }),
    retrieve: async () => {
      const id = cycle(ctx.seededIds);
      return {
        name: 'retrieve',
        method: 'POST',
        path: () => `${API}/retrieve`,
        headers: auth,
        body: () => ({ id: id() }),
      };
    },
  };
}
