#!/usr/bin/env node
import { parseArgs } from 'node:util';
import pino from 'pino';
import { loadConfig } from './config.js';
import { openRuntime } from './runtime.js';
import { systemClock } from './infra/clock.js';
import { migrate, openDb } from './store/db.js';
import {
  KEY_KINDS,
  ROLES,
  SCOPES,
  isKeyKind,
  isRole,
  isScope,
  type Scope,
} from './services/access.js';
import type { Services } from './services/index.js';
import { readConfigSource } from './services/tenant-config.js';

/** A mistake in how the command was typed: exit code 2, unlike failures of the work itself (1). */
class UsageError extends Error {}

type Output = string | string[][];

interface Command {
  /** Positional argument names after the command words, all required. */
  args: string[];
  options?: Record<string, { type: 'string'; short?: string }>;
  summary: string;
  /** Does the work; what it returns goes to stdout. `migrate` and `help` need no services. */
  run(ctx: {
    services: () => Promise<Services>;
    arg: (name: string) => string;
    opt: (name: string) => string | undefined;
  }): Promise<Output>;
}

const CLI = { name: 'cli' };
const actor = (tenantId: string) => ({ tenantId, ...CLI });

function oneOf<T extends string>(
  value: string | undefined,
  allowed: readonly T[],
  is: (v: string) => v is T,
  what: string,
): T | undefined {
  if (value === undefined || is(value)) return value;
  throw new UsageError(`${what} must be one of ${allowed.join(', ')}, got "${value}"`);
}

async function requireTenant(services: Services, tenantId: string): Promise<void> {
  await services.tenants.get(tenantId);
}

const COMMANDS: Record<string, Command> = {
  'tenant create': {
    args: ['id'],
    options: { name: { type: 'string' }, timezone: { type: 'string' } },
    summary: 'Create a tenant (id: lower-case letters, digits, - and _; time zone default UTC)',
    async run({ services, arg, opt }) {
      const t = await (
        await services()
      ).tenants.create({
        id: arg('id'),
        name: opt('name'),
        timezone: opt('timezone'),
        source: CLI.name,
      });
      return `Created tenant ${t.id} ("${t.name}", ${t.timezone})`;
    },
  },
  'tenant list': {
    args: [],
    summary: 'List tenants',
    async run({ services }) {
      const tenants = await (await services()).tenants.list();
      return tenants.map((t) => [t.id, t.name, t.timezone]);
    },
  },
  'apikey create': {
    args: ['tenant'],
    options: { scope: { type: 'string' }, kind: { type: 'string' }, name: { type: 'string' } },
    summary:
      'Create an API key (--scope engagement|dispatch|admin, default engagement; --kind browser|server: ' +
      'an engagement key is a browser key unless --kind server, the other scopes are server keys)',
    async run({ services, arg, opt }) {
      const scope: Scope = oneOf(opt('scope'), SCOPES, isScope, '--scope') ?? 'engagement';
      const kind = oneOf(opt('kind'), KEY_KINDS, isKeyKind, '--kind');
      if (kind === 'browser' && scope !== 'engagement') {
        throw new UsageError(
          `--kind browser needs --scope engagement (a ${scope} key is a server key)`,
        );
      }
      const created = await (
        await services()
      ).access.createApiKey(actor(arg('tenant')), scope, opt('name'), kind);
      // Only the key goes to stdout, so `KEY=$(opencallback apikey create t)` works.
      process.stderr.write(
        `Created ${created.scope} ${created.kind} key ${created.id}; it is shown only once.\n`,
      );
      return created.key;
    },
  },
  'apikey revoke': {
    args: ['tenant', 'keyId'],
    summary: 'Revoke an API key by its id',
    async run({ services, arg }) {
      await (await services()).access.revokeApiKey(actor(arg('tenant')), arg('keyId'));
      return `Revoked ${arg('keyId')}`;
    },
  },
  'apikey list': {
    args: ['tenant'],
    summary: "List a tenant's API keys (never the keys themselves)",
    async run({ services, arg }) {
      const s = await services();
      await requireTenant(s, arg('tenant'));
      const keys = await s.access.listApiKeys(arg('tenant'));
      return keys.map((k) => [
        k.id,
        k.scope,
        k.kind,
        k.prefix,
        k.name,
        k.revokedAt ? 'revoked' : 'active',
      ]);
    },
  },
  'user create': {
    args: ['tenant', 'username'],
    options: { role: { type: 'string' }, password: { type: 'string' } },
    summary: `Create or update a console user (--role ${ROLES.join('|')}; prints a generated password; ends the user's sessions)`,
    async run({ services, arg, opt }) {
      const role = oneOf(opt('role'), ROLES, isRole, '--role');
      if (role === undefined) throw new UsageError(`--role is required (${ROLES.join(', ')})`);
      const user = await (
        await services()
      ).access.upsertUser(actor(arg('tenant')), arg('username'), role, opt('password'));
      if (user.generatedPassword === undefined) return `Saved user ${user.username} (${role})`;
      process.stderr.write(`Saved user ${user.username} (${role}); generated password:\n`);
      return user.generatedPassword;
    },
  },
  'user list': {
    args: ['tenant'],
    summary: "List a tenant's console users",
    async run({ services, arg }) {
      const s = await services();
      await requireTenant(s, arg('tenant'));
      const users = await s.access.listUsers(arg('tenant'));
      return users.map((u) => [u.username, u.role, u.disabled ? 'disabled' : 'active']);
    },
  },
  'user disable': {
    args: ['tenant', 'username'],
    summary: 'Disable a console user: no login, and their sessions end now',
    async run({ services, arg }) {
      await (
        await services()
      ).access.updateUser(actor(arg('tenant')), arg('username'), { disabled: true });
      return `Disabled ${arg('username')}`;
    },
  },
  'user enable': {
    args: ['tenant', 'username'],
    summary: 'Enable a disabled console user again',
    async run({ services, arg }) {
      await (
        await services()
      ).access.updateUser(actor(arg('tenant')), arg('username'), { disabled: false });
      return `Enabled ${arg('username')}`;
    },
  },
  'user delete': {
    args: ['tenant', 'username'],
    summary: 'Delete a console user and end their sessions',
    async run({ services, arg }) {
      await (await services()).access.deleteUser(actor(arg('tenant')), arg('username'));
      return `Deleted ${arg('username')}`;
    },
  },
  'cors add': {
    args: ['tenant', 'origin'],
    summary: 'Allow a browser origin (https://host[:port]) for a tenant',
    async run({ services, arg }) {
      const { origin, added } = await (
        await services()
      ).tenants.addOrigin(actor(arg('tenant')), arg('origin'), CLI.name);
      return added ? `Allowed ${origin}` : `${origin} was already allowed`;
    },
  },
  'cors remove': {
    args: ['tenant', 'origin'],
    summary: 'Withdraw a browser origin',
    async run({ services, arg }) {
      await (await services()).tenants.removeOrigin(actor(arg('tenant')), arg('origin'));
      return `Removed ${arg('origin')}`;
    },
  },
  'cors list': {
    args: ['tenant'],
    summary: "List a tenant's allowed origins",
    async run({ services, arg }) {
      const s = await services();
      await requireTenant(s, arg('tenant'));
      const origins = await s.tenants.listOrigins(arg('tenant'));
      return origins.map((o) => [o.origin, o.source]);
    },
  },
  apply: {
    args: ['file'],
    summary: 'Apply a declarative tenant configuration (YAML/JSON file or folder); idempotent',
    async run({ services, arg }) {
      const doc = await readConfigSource(arg('file'));
      const applied = await (await services()).tenantConfig.apply(doc, 'config');
      return applied.map((t) => [
        t.id,
        `${t.queues.length} queues`,
        `${t.corsOrigins?.length ?? 0} origins`,
      ]);
    },
  },
  migrate: {
    args: [],
    summary: 'Bring the database schema up to date',
    async run() {
      const db = openDb(loadConfig().database);
      try {
        const applied = await migrate(db);
        return applied.length === 0 ? 'The schema is up to date' : `Applied ${applied.join(', ')}`;
      } finally {
        await db.close();
      }
    },
  },
  help: {
    args: [],
    summary: 'Show this help',
    async run() {
      return usage();
    },
  },
};

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => {
    const args = c.args.map((a) => `<${a}>`);
    const opts = Object.keys(c.options ?? {}).map((o) => `[--${o} …]`);
    return `  opencallback ${[name, ...args, ...opts].join(' ')}\n      ${c.summary}`;
  });
  return [
    'Usage (the same environment as the server: DATA_DIR or DATABASE_URL):',
    ...lines,
    'Exit codes: 0 done, 1 failed (e.g. unknown tenant), 2 bad arguments.',
  ].join('\n');
}

/** Prints a message, or rows as aligned columns. */
function print(output: Output): void {
  if (typeof output === 'string') {
    process.stdout.write(`${output}\n`);
    return;
  }
  const widths = output.reduce<number[]>(
    (w, row) => row.map((cell, i) => Math.max(w[i] ?? 0, cell.length)),
    [],
  );
  for (const row of output) {
    process.stdout.write(
      `${row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd()}\n`,
    );
  }
}

/** Finds the command named by the first one or two words of `argv`. */
function lookup(argv: string[]): { name: string; command: Command; rest: string[] } {
  const [first = '', second = ''] = argv;
  const two = COMMANDS[`${first} ${second}`];
  if (two) return { name: `${first} ${second}`, command: two, rest: argv.slice(2) };
  const one = COMMANDS[first];
  if (one) return { name: first, command: one, rest: argv.slice(1) };
  if (first === '') throw new UsageError('no command given; run `opencallback help`');
  const group = Object.keys(COMMANDS).filter((n) => n.startsWith(`${first} `));
  if (group.length > 0) {
    const verbs = group.map((n) => n.split(' ')[1]).join('|');
    throw new UsageError(`usage: opencallback ${first} ${verbs} …`);
  }
  throw new UsageError(`unknown command "${first}"; run \`opencallback help\``);
}

/** Runs one command line; resolves to the process exit code. */
async function main(argv: string[]): Promise<number> {
  let closeRuntime: (() => Promise<void>) | undefined;
  try {
    const { name, command, rest } = lookup(argv);
    let parsed;
    try {
      parsed = parseArgs({
        args: rest,
        options: command.options ?? {},
        allowPositionals: true,
        strict: true,
      });
    } catch (e) {
      throw new UsageError(e instanceof Error ? e.message : String(e));
    }
    const names = command.args;
    if (parsed.positionals.length !== names.length) {
      const expected = names.map((a) => `<${a}>`).join(' ');
      throw new UsageError(`usage: opencallback ${name}${expected ? ` ${expected}` : ''}`);
    }
    const values = parsed.values as Record<string, string | undefined>;
    const services = async () => {
      // Warnings go to stderr: stdout is the command's answer, which scripts read.
      const log = pino({ level: 'warn' }, pino.destination(2));
      const runtime = await openRuntime(loadConfig(), systemClock, log);
      closeRuntime = () => runtime.close();
      return runtime.services;
    };
    print(
      await command.run({
        services,
        arg: (a) => parsed.positionals[names.indexOf(a)] ?? '',
        opt: (o) => values[o],
      }),
    );
    return 0;
  } catch (e) {
    process.stderr.write(`opencallback: ${e instanceof Error ? e.message : String(e)}\n`);
    return e instanceof UsageError ? 2 : 1;
  } finally {
    await closeRuntime?.();
  }
}

process.exitCode = await main(process.argv.slice(2));
