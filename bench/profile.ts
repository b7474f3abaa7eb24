import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from './processes.js';

/** The parts of a V8 .cpuprofile (as `node --cpu-prof` writes it) the summary reads. */
interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
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
  selfMs: number;
  /** Share of the busy (non-idle) time. */
  percent: number;
}

/** The top functions by self time, and how much of the profile was idle. */
export interface ProfileSummary {
  file: string;
  busyMs: number;
  idlePercent: number;
  top: HotFunction[];
}

function shortLocation(url: string, line: number): string {
  if (url === '') return '';
  const root = pathToFileURL(ROOT).href + '/';
  const local = url.startsWith(root) ? url.slice(root.length) : url;
  // tsx compiles each .ts module onto one line: its line numbers say nothing.
  return local.endsWith('.ts') ? local : `${local}:${line + 1}`;
}

/**
 * Self time per function of a .cpuprofile: each sample's duration (the gap to the next sample,
 * as Chrome DevTools counts it) goes to the function on top of the stack, summed over functions
 * of the same name and place.
 */
export function summarizeProfile(file: string, topN = 15): ProfileSummary {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const frames = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const selfUs = new Map<string, { name: string; where: string; us: number }>();
  let idleUs = 0;
  let totalUs = 0;
  profile.samples.forEach((nodeId, i) => {
    const us = profile.timeDeltas[i + 1] ?? 0;
    const frame = frames.get(nodeId);
    totalUs += us;
    if (!frame || frame.functionName === '(idle)') {
      idleUs += us;
      return;
    }
    const name = frame.functionName || '(anonymous)';
    const where = shortLocation(frame.url, frame.lineNumber);
    const key = `${name}\u0000${where}`;
    const entry = selfUs.get(key) ?? { name, where, us: 0 };
    entry.us += us;
    selfUs.set(key, entry);
  });
  const busyUs = Math.max(1, totalUs - idleUs);
  const top = [...selfUs.values()]
    .sort((a, b) => b.us - a.us)
    .slice(0, topN)
    .map((e) => ({
      name: e.name,
      where: e.where,
      selfMs: e.us / 1000,
      percent: (100 * e.us) / busyUs,
    }));
  return {
    file,
    busyMs: busyUs / 1000,
    idlePercent: totalUs === 0 ? 0 : (100 * idleUs) / totalUs,
    top,
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
