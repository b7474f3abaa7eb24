/** The guarded outbound client as tests use it: the local fakes listen on loopback. */
import { parseAllowList } from '../../src/integrations/address-guard.js';
import { OutboundHttp } from '../../src/integrations/http-client.js';

/** Loopback allowed, as OUTBOUND_ALLOW="127.0.0.1/32,::1/128" does for the test apps. */
export const LOOPBACK_ALLOWED = '127.0.0.1/32,::1/128';

/** A guarded client that may reach the local fakes (and nothing else private). */
export const testHttp = new OutboundHttp({ allow: parseAllowList(LOOPBACK_ALLOWED.split(',')) });
