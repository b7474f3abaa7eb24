/**
 * Which addresses an outbound call may reach. Tenants choose some of the URLs we call (webhooks,
 * the statistics source), so without this guard they could make the service reach its own host,
 * the private network or a cloud metadata endpoint. The operator opts hosts or ranges back in with
 * OUTBOUND_ALLOW.
 */
import { BlockList, isIP } from 'node:net';

/** Ranges never reached unless allowed: `[address, prefix, why]`. */
const BLOCKED_V4: readonly (readonly [string, number, string])[] = [
  ['0.0.0.0', 8, 'an unspecified ("this network") address'],
  ['10.0.0.0', 8, 'a private address'],
  ['100.64.0.0', 10, 'a carrier-grade NAT address'],
  ['127.0.0.0', 8, 'a loopback address'],
  ['169.254.0.0', 16, 'a link-local (cloud metadata) address'],
  ['172.16.0.0', 12, 'a private address'],
  ['192.0.0.0', 24, 'a reserved (IETF protocol) address'],
  ['192.168.0.0', 16, 'a private address'],
  ['198.18.0.0', 15, 'a reserved (benchmarking) address'],
  ['224.0.0.0', 4, 'a multicast address'],
  ['240.0.0.0', 4, 'a reserved address'],
];
const BLOCKED_V6: readonly (readonly [string, number, string])[] = [
  ['::', 128, 'an unspecified address'],
  ['::1', 128, 'a loopback address'],
  ['100::', 64, 'a discard-only address'],
  ['fc00::', 7, 'a unique-local (private) address'],
  ['fe80::', 10, 'a link-local address'],
  ['fec0::', 10, 'a site-local (private) address'],
  ['ff00::', 8, 'a multicast address'],
];
/** Names of metadata services, refused whatever they resolve to. */
const METADATA_NAMES = ['metadata.google.internal', 'metadata.goog', 'metadata'];

/** One parsed OUTBOUND_ALLOW: exact host names, `*.suffix` names, and IP ranges. */
export interface OutboundAllowList {
  readonly names: ReadonlySet<string>;
  readonly suffixes: readonly string[];
  readonly ranges: BlockList;
  /** The entries as configured, for messages. */
  readonly entries: readonly string[];
}

/**
 * Parses OUTBOUND_ALLOW entries (host names, `*.example.internal`, IPs and CIDRs); throws a
 * message naming the bad entry.
 */
export function parseAllowList(entries: readonly string[]): OutboundAllowList {
  const names = new Set<string>();
  const suffixes: string[] = [];
  const ranges = new BlockList();
  for (const raw of entries) {
    const entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    const slash = entry.indexOf('/');
    const address = stripBrackets(slash === -1 ? entry : entry.slice(0, slash));
    const family = isIP(address);
    if (family !== 0) {
      const type = family === 4 ? 'ipv4' : 'ipv6';
      const max = family === 4 ? 32 : 128;
      const prefix = slash === -1 ? max : Number(entry.slice(slash + 1));
      if (!Number.isInteger(prefix) || prefix < 0 || prefix > max) {
        throw new Error(`"${raw}" has a bad prefix length (0 to ${max})`);
      }
      ranges.addSubnet(address, prefix, type);
    } else if (entry.startsWith('*.') && isHostName(entry.slice(2))) {
      suffixes.push(entry.slice(1));
    } else if (slash === -1 && isHostName(normalizeHost(entry))) {
      names.add(normalizeHost(entry));
    } else {
      throw new Error(`"${raw}" is neither a host name, an IP address nor a CIDR range`);
    }
  }
  return { names, suffixes, ranges, entries: entries.map((e) => e.trim()).filter((e) => e) };
}

/** An empty allow list: nothing private is reachable. */
export const NOTHING_ALLOWED: OutboundAllowList = parseAllowList([]);

/** Lower case, no brackets, no trailing dot: the form host names are compared in. */
export function normalizeHost(host: string): string {
  return stripBrackets(host.toLowerCase()).replace(/\.+$/, '');
}

/** Whether the operator allowed this host name (exactly or by a `*.suffix` entry). */
export function isAllowedName(host: string, allow: OutboundAllowList): boolean {
  const name = normalizeHost(host);
  return allow.names.has(name) || allow.suffixes.some((suffix) => name.endsWith(suffix));
}

/**
 * Why an IP address may not be reached (e.g. "a loopback address"), or undefined when it may.
 * IPv6 forms that carry an IPv4 address (mapped, compatible, NAT64, 6to4) are judged by it.
 */
export function addressRefusal(address: string, allow: OutboundAllowList): string | undefined {
  const ip = stripBrackets(address);
  const family = isIP(ip);
  if (family === 0) return 'not an IP address';
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (allow.ranges.check(ip, type)) return undefined;
  if (family === 4) return v4Refusal(ip);
  const words = ipv6Words(ip);
  if (words === undefined) return 'not an IP address';
  const embedded = embeddedV4(words);
  if (embedded !== undefined) {
    if (allow.ranges.check(embedded, 'ipv4')) return undefined;
    const why = v4Refusal(embedded);
    if (why !== undefined) return `${why} (in IPv6 form)`;
  }
  for (const [range, prefix, why] of BLOCKED_V6) {
    if (inV6Range(words, range, prefix)) return why;
  }
  return undefined;
}

/**
 * Why a URL may not be called, judged without DNS (at save time): its scheme, an IP literal in
 * any notation the URL parser accepts, localhost and metadata names. Names are resolved and
 * judged again at every connection.
 */
export function urlRefusal(raw: string, allow: OutboundAllowList): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'is not a URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return 'must be an http:// or https:// URL';
  }
  // The WHATWG parser already turned 2130706433, 0x7f.1 and 017700000001 into 127.0.0.1.
  const host = normalizeHost(url.hostname);
  return hostRefusal(host, allow);
}

/** Why a host (name or IP literal) may not be reached before any DNS, or undefined. */
export function hostRefusal(rawHost: string, allow: OutboundAllowList): string | undefined {
  const host = normalizeHost(rawHost);
  if (isIP(host) !== 0) {
    const why = addressRefusal(host, allow);
    return why === undefined ? undefined : `points to ${host}, ${why}`;
  }
  if (isAllowedName(host, allow)) return undefined;
  if (host === 'localhost' || host.endsWith('.localhost')) {
    // With loopback allowed, the name is judged by its addresses when connecting.
    const loopbackAllowed =
      allow.ranges.check('127.0.0.1', 'ipv4') || allow.ranges.check('::1', 'ipv6');
    return loopbackAllowed ? undefined : `points to ${host}, a loopback name`;
  }
  if (METADATA_NAMES.includes(host)) return `points to ${host}, a cloud metadata service`;
  return undefined;
}

function v4Refusal(ip: string): string | undefined {
  const value = v4Number(ip);
  if (value === undefined) return 'not an IP address';
  for (const [range, prefix, why] of BLOCKED_V4) {
    const base = v4Number(range) ?? 0;
    const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
    if ((value & mask) >>> 0 === base) return why;
  }
  if (value === 0xffffffff) return 'a broadcast address';
  return undefined;
}

function v4Number(ip: string): number | undefined {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) {
    return undefined;
  }
  const [a = 0, b = 0, c = 0, d = 0] = parts;
  return ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
}

/** The eight 16-bit words of an IPv6 address (a dotted IPv4 tail included); undefined if bad. */
function ipv6Words(ip: string): number[] | undefined {
  let text = ip.toLowerCase();
  const zone = text.indexOf('%');
  if (zone !== -1) text = text.slice(0, zone);
  const lastColon = text.lastIndexOf(':');
  const last = text.slice(lastColon + 1);
  if (last.includes('.')) {
    // A dotted IPv4 tail stands for the last two words.
    const v4 = v4Number(last);
    if (v4 === undefined) return undefined;
    text = `${text.slice(0, lastColon + 1)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parse = (part: string | undefined): number[] =>
    part === undefined || part === ''
      ? []
      : part.split(':').map((h) => (/^[0-9a-f]{1,4}$/.test(h) ? parseInt(h, 16) : NaN));
  const head = parse(halves[0]);
  const rest = halves.length === 2 ? parse(halves[1]) : [];
  const known = head.length + rest.length;
  if (halves.length === 1 && known !== 8) return undefined;
  if (known > 8 || (halves.length === 2 && known === 8)) return undefined;
  const words = [...head, ...new Array<number>(8 - known).fill(0), ...rest];
  return words.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffff) ? words : undefined;
}

/** The IPv4 address an IPv6 address stands for, when it is one of the embedding forms. */
function embeddedV4(words: readonly number[]): string | undefined {
  const [w0 = 0, w1 = 0, w2 = 0, w3 = 0, w4 = 0, w5 = 0, w6 = 0, w7 = 0] = words;
  const quad = (hi: number, lo: number) => `${hi >>> 8}.${hi & 0xff}.${lo >>> 8}.${lo & 0xff}`;
  const zeroPrefix = w0 === 0 && w1 === 0 && w2 === 0 && w3 === 0 && w4 === 0;
  // ::ffff:a.b.c.d (mapped), ::a.b.c.d (compatible, deprecated), ::ffff:0:a.b.c.d (SIIT).
  if (zeroPrefix && (w5 === 0xffff || w5 === 0) && (w6 !== 0 || w7 > 1)) return quad(w6, w7);
  if (w0 === 0 && w1 === 0 && w2 === 0 && w3 === 0 && w4 === 0xffff && w5 === 0) {
    return quad(w6, w7);
  }
  // 64:ff9b::a.b.c.d (NAT64 well-known prefix) and 2002:aabb:ccdd:: (6to4).
  if (w0 === 0x64 && w1 === 0xff9b) return quad(w6, w7);
  if (w0 === 0x2002) return quad(w1, w2);
  return undefined;
}

function inV6Range(words: readonly number[], range: string, prefix: number): boolean {
  const base = ipv6Words(range);
  if (base === undefined) return false;
  for (let bit = 0; bit < prefix; bit += 16) {
    const i = bit / 16;
    const take = Math.min(16, prefix - bit);
    const mask = (0xffff << (16 - take)) & 0xffff;
    if (((words[i] ?? 0) & mask) !== ((base[i] ?? 0) & mask)) return false;
  }
  return true;
}

function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

function isHostName(name: string): boolean {
  return /^(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$/.test(
    name,
  );
}
