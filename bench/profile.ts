import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from './processes.js';

/** The parts of a V8 .cpuprofile (as `node --cpu-prof` writes it) the summary reads. */
interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    children?: number[];
  }[];
  samples: number[];
  /** Microseconds since the previous sample, one per sample. */
  timeDeltas: number[];
}

/** One function's share of the samples. */
export interface HotFunction {
  name: string;
  /** Where it is: a path inside the repository (or node: / a bare name for built-ins). */
  where: string;
  ms: number;
  /** Share of the busy (non-idle) time. */
  percent: number;
}

/** Where a profile's time went, and how much of it was idle. */
export interface ProfileSummary {
  file: string;
  busyMs: number;
  idlePercent: number;
  /** By self time: the function itself was running. */
  self: HotFunction[];
  /** The service's own functions (src/) by total time: running, or waiting on what they called. */
  service: HotFunction[];
}

// The service's own code: built (dist/) when the bench runs it, or its sources.
const OWN = [`${pathToFileURL(ROOT).href}/dist/`, `${pathToFileURL(ROOT).href}/src/`];

function shortLocation(url: string, line: number): string {
  if (url === '') return '';
  const root = `${pathToFileURL(ROOT).href}/`;
  const local = url.startsWith(root) ? url.slice(root.length) : url;
  // tsx compiles each .ts module onto one line: its line numbers say nothing.
  return local.endsWith('.ts') ? local : `${local}:${line + 1}`;
}

/** Sums microseconds per function (by name and place). */
class Tally {
  private readonly byKey = new Map<string, { name: string; where: string; us: number }>();

  add(frame: CpuProfile['nodes'][number]['callFrame'], us: number): void {
    const name = frame.functionName || '(anonymous)';
    const where = shortLocation(frame.url, frame.lineNumber);
    const key = `${name}\u0000${where}`;
    const entry = this.byKey.get(key) ?? { name, where, us: 0 };
    entry.us += us;
    this.byKey.set(key, entry);
  }

  top(n: number, busyUs: number): HotFunction[] {
    return [...this.byKey.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, n)
      .map((e) => ({
        name: e.name,
        where: e.where,
        ms: e.us / 1000,
        percent: (100 * e.us) / busyUs,
      }));
  }
}

/**
 * Self and total time per function of a .cpuprofile. Each sample's duration (the gap to the next
 * sample, as Chrome DevTools counts it) is self time of the function on top of the stack, and
 * total time of every service function on the stack (once each, however deep it recurses).
 */
export function summarizeProfile(file: string, topN = 15): ProfileSummary {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parentOf = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parentOf.set(c, n.id);
  const self = new Tally();
  const service = new Tally();
  let idleUs = 0;
  let totalUs = 0;
  profile.samples.forEach((nodeId, i) => {
    const us = profile.timeDeltas[i + 1] ?? 0;
    const node = nodes.get(nodeId);
    totalUs += us;
    if (!node || node.callFrame.functionName === '(idle)') {
      idleUs += us;
      return;
    }
    self.add(node.callFrame, us);
    const seen = new Set<string>();
    for (let id: number | undefined = nodeId; id !== undefined; id = parentOf.get(id)) {
      const frame = nodes.get(id)?.callFrame;
      if (!frame || !OWN.some((prefix) => frame.url.startsWith(prefix))) continue;
      const key = `${frame.functionName}\u0000${frame.url}`;
      if (seen.has(key)) continue;
      seen.add(key);
      service.add(frame, us);
    }
  });
  const busyUs = Math.max(1, totalUs - idleUs);
  return {
    file,
    busyMs: busyUs / 1000,
    idlePercent: totalUs === 0 ? 0 : (100 * idleUs) / totalUs,
    self: self.top(topN, busyUs),
    service: service.top(10, busyUs),
  };
}

/** The .cpuprofile files `node --cpu-prof-dir=<dir>` left in `dir`. */
export function profilesIn(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => path.join(dir, f));
}
