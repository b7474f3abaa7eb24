import SQLite from 'better-sqlite3';
const proto = (SQLite as unknown as { prototype: { prepare: (s: string) => unknown } }).prototype;
const times = new Map<string, [number, number]>();
const orig = proto.prepare;
proto.prepare = function (this: unknown, sql: string) {
  const st = orig.call(this, sql) as { all: (...a: unknown[]) => unknown; run: (...a: unknown[]) => unknown };
  for (const m of ['all', 'run'] as const) {
    const f = st[m].bind(st);
    st[m] = (...a: unknown[]) => { const t = process.hrtime.bigint(); try { return f(...a); } finally { const e = times.get(sql) ?? [0, 0]; e[0] += Number(process.hrtime.bigint() - t); e[1]++; times.set(sql, e); } };
  }
  return st;
};
const { startTestApp } = await import('./test/helpers/app.js');
const t = await startTestApp('sqlite');
const ten = await t.tenant('acme');
await t.services.queues.create({ tenantId: 'acme', name: 'x' }, { name: 'support', maxQueuedImmediate: 1000000 });
for (let i = 0; i < 3000; i++) {
  await t.services.booking.create('acme', { serviceName: 'support', phoneNumber: '+1212' + String(5550000 + i).padStart(7, '0') });
}
times.clear();
const t0 = Date.now();
for (let i = 3000; i < 4000; i++) {
  await t.services.booking.create('acme', { serviceName: 'support', phoneNumber: '+1212' + String(5550000 + i).padStart(7, '0') });
}
console.log('per create', (Date.now() - t0), 'µs');
for (const [sql, [ns, n]] of [...times].sort((a, b) => b[1][0] - a[1][0]).slice(0, 6)) console.log((ns / n / 1000).toFixed(1), 'µs', n, sql.slice(0, 120));
await t.close(); void ten;
