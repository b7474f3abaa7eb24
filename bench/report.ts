import type { DialerResult } from './dialers.js';
import type { Measured } from './load.js';
import type { ProfileSummary } from './profile.js';
import type { PurgeResult } from './purge.js';

const out = (text: string) => process.stdout.write(`${text}\n`);

/** Left-aligns the columns in `left`, right-aligns the others. */
function printColumns(header: string[], rows: string[][], left: ReadonlySet<number>): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((v, i) => (left.has(i) ? v.padEnd(widths[i] ?? 0) : v.padStart(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  out(line(header));
  out(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) out(line(r));
}

/**
 * The HTTP scenarios: req/s, latency and the ratio to the req/s of the hello-world measured just
 * before each; then the hello-world's own range over the run.
 */
export function printTable(rows: readonly { scenario: Measured; hello: Measured }[]): void {
  const us = (m: Measured) => m.cpuUsPerRequest?.toFixed(0) ?? '-';
  const cpuRatio = (r: Measured, hello: Measured) =>
    r.cpuUsPerRequest === undefined || hello.cpuUsPerRequest === undefined
      ? '-'
      : (hello.cpuUsPerRequest / r.cpuUsPerRequest).toFixed(2);
  printColumns(
    [
      'scenario',
      'req/s',
      'p50 ms',
      'p99 ms',
      'hello req/s',
      '× hello',
      'CPU µs/req',
      'hello µs',
      '× hello CPU',
      'responses',
    ],
    rows.map(({ scenario: r, hello }) => [
      r.name,
      r.reqPerSec.toFixed(0),
      String(r.p50),
      String(r.p99),
      hello.reqPerSec.toFixed(0),
      (r.reqPerSec / hello.reqPerSec).toFixed(2),
      us(r),
      us(hello),
      cpuRatio(r, hello),
      r.statuses,
    ]),
    new Set([0, 9]),
  );
  const hellos = rows.map((r) => r.hello.reqPerSec).sort((a, b) => a - b);
  const median = hellos[Math.floor(hellos.length / 2)] ?? 0;
  out(
    `\nfastify hello-world, measured before each scenario: ${(hellos[0] ?? 0).toFixed(0)}–` +
      `${(hellos.at(-1) ?? 0).toFixed(0)} req/s (median ${median.toFixed(0)}), p99 ` +
      `${Math.max(...rows.map((r) => r.hello.p99))} ms at worst`,
  );
}

/** The dialer loop's line: claims per second, latencies and the duplicate check. */
export function printDialers(d: DialerResult): void {
  const drained =
    d.drainedAfter === undefined
      ? ''
      : ` (pool ran dry ${d.drainedAfter.toFixed(1)} s into the measurement: give --pool more)`;
  out(
    `Dialer loop: ${d.dialers} dialers × ${d.lines} lines over HTTP, ` +
      `${d.batch === 1 ? 'one callback per request' : `batches of ${d.batch}`}: ` +
      `${d.claimsPerSec.toFixed(0)} claims/s${drained}; ` +
      `claim p50 ${d.claimP50} ms p99 ${d.claimP99} ms; ` +
      `claim→start→finish p50 ${d.cycleP50} ms p99 ${d.cycleP99} ms; ` +
      `${d.totalClaims} claims in all; duplicates: ${d.duplicates}`,
  );
}

/** The purge's line: duration, rate and the worst API stall seen by the probe. */
export function printPurge(p: PurgeResult): void {
  out(
    `End-of-day purge: ${p.purged} waiting callbacks purged in ${p.seconds.toFixed(1)} s ` +
      `(${(p.purged / p.seconds).toFixed(0)}/s); worst API stall ${p.worstStall} ms ` +
      `at ${p.worstStallAt.toFixed(1)} s ` +
      `(queue-status every 10 ms during the purge and 2 s after: ${p.probes} answers, p99 ${p.probeP99} ms)`,
  );
}

/** The service's top functions by self time, and its own functions by total time. */
export function printProfile(s: ProfileSummary): void {
  out(`CPU profile: ${s.file}`);
  out(`${(s.busyMs / 1000).toFixed(1)} s busy, ${s.idlePercent.toFixed(0)} % idle.`);
  const table = (title: string, fns: ProfileSummary['self']) => {
    out(`\n${title} (share of busy time):`);
    printColumns(
      ['ms', '%', 'function', 'where'],
      fns.map((f) => [f.ms.toFixed(0), f.percent.toFixed(1), f.name, f.where]),
      new Set([2, 3]),
    );
  };
  table(`Top ${s.self.length} functions by self time`, s.self);
  table('Service functions (src/) by total time, callees included', s.service);
}
