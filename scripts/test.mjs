#!/usr/bin/env node
// The README's test command. It finds what the suite can use on this machine (a PostgreSQL server,
// Chromium), runs vitest, and says plainly what it skipped. With CI=true nothing may be skipped.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import pg from 'pg';

const ci = process.env.CI === 'true';
const skipped = [];
const env = { ...process.env };

async function postgresUrl() {
  const url = process.env.OC_TEST_PG_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    return url;
  } catch (err) {
    skipped.push(
      `PostgreSQL (${url} did not answer: ${err.message}); the integration suite ran on SQLite only`,
    );
    return undefined;
  } finally {
    await client.end().catch(() => {});
  }
}

function chromiumPath() {
  const candidates = [
    process.env.OC_TEST_CHROMIUM,
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
  ];
  const found = candidates.find((p) => p && fs.existsSync(p));
  if (!found) skipped.push('console browser tests (no Chromium: apt-get install chromium)');
  return found;
}

const pgUrl = await postgresUrl();
// Tests read OC_TEST_PG_URL to decide whether to run on PostgreSQL: only a server that answered.
if (pgUrl) env.OC_TEST_PG_URL = pgUrl;
else delete env.OC_TEST_PG_URL;
const chromium = chromiumPath();
if (chromium) env.OC_TEST_CHROMIUM = chromium;

if (ci && skipped.length > 0) {
  console.error(`CI=true and these are missing, so the run fails:\n- ${skipped.join('\n- ')}`);
  process.exit(1);
}

if (chromium) {
  // The browser tests drive the built console and widget.
  const build = spawnSync(
    'npx',
    ['vite', 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'],
    {
      stdio: 'inherit',
      env,
    },
  );
  if (build.status !== 0) process.exit(build.status ?? 1);
  // The widget tests load the built bundle (and check its size budget).
  const widget = spawnSync(
    'npx',
    ['vite', 'build', '--config', 'widget/vite.config.ts', '--logLevel', 'warn'],
    { stdio: 'inherit', env },
  );
  if (widget.status !== 0) process.exit(widget.status ?? 1);
}

const result = spawnSync('npx', ['vitest', 'run', ...process.argv.slice(2)], {
  stdio: 'inherit',
  env,
});
if (skipped.length > 0) {
  console.log(`\nSkipped on this machine:\n- ${skipped.join('\n- ')}`);
}
process.exit(result.status ?? 1);
