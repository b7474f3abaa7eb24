import {
  sql,
  type Compilable,
  type CompiledQuery,
  type Kysely,
  type QueryResult,
  type SqlBool,
} from 'kysely';
import type { Database } from './schema.js';
import type { Queryable, Tx } from './db.js';

// SQL helpers both engines share. Engine-specific code lives in sqlite/ and postgres/.

/**
 * Runs a row-picking SELECT (locked with `FOR UPDATE SKIP LOCKED` where the engine has it) and
 * returns the ids, for an UPDATE … WHERE id IN (ids) in the same transaction. Two statements on
 * purpose: PostgreSQL may re-run a LIMITed locking subquery inside an UPDATE once per row, and
 * each run skips the rows the previous one locked, so one "claim" would take them all.
 */
export async function idsOf<T extends string | number>(picker: {
  execute(): Promise<{ id: T }[]>;
}): Promise<T[]> {
  return (await picker.execute()).map((r) => r.id);
}

/**
 * `column IN (values)` as a re-check of rows already found by primary key (`id IN (…)`), written
 * as an expression no index can serve: given the plain column, both engines chose to walk a state
 * index for `id IN (…) AND state IN (…)`, visiting every waiting callback per batch (bench/README.md).
 */
export function recheck(column: string, values: readonly string[]) {
  return sql<SqlBool>`(${sql.ref(column)} || '') in (${sql.join(values)})`;
}

/**
 * A tenant's callbacks by a list of ids, found by primary key. The tenant is checked on each row
 * found, written (see recheck) so no index can serve it: from about a thousand ids on, SQLite's
 * sampled statistics otherwise chose to walk the tenant's whole index (bench/README.md).
 */
export function idsWithinTenant(tenantId: string, ids: readonly string[]) {
  return sql<SqlBool>`${sql.ref('id')} in (${sql.join(ids)}) and ${recheck('tenant_id', [tenantId])}`;
}

/**
 * A query compiled once with a stand-in object for each argument in `names` (`build` may only hand
 * them to Kysely as values): the SQL and, per compiled parameter, the argument's name or, for
 * the other parameters (constants), undefined. For `prepare`, and for tools that replay the
 * service's own statements (the bench's pgbench script).
 */
export function compileNamed<A extends Record<string, unknown>, R>(
  names: readonly (keyof A & string)[],
  build: (args: A) => Compilable<R>,
) {
  const standIns = new Map<unknown, keyof A & string>(names.map((name) => [{ name }, name]));
  const compiled = build(
    Object.fromEntries([...standIns].map(([standIn, name]) => [name, standIn])) as A,
  ).compile();
  const bindings = compiled.parameters.map((value) => standIns.get(value));
  const unused = names.filter((name) => !bindings.includes(name));
  if (unused.length > 0) throw new Error(`prepared query does not use ${unused.join(', ')}`);
  return { compiled, bindings };
}

/**
 * A query built and compiled once (compileNamed), then run with new arguments. Kysely builds and
 * compiles every query anew, which on a hot path (booking) costs more JavaScript per statement
 * than SQLite needs to run a short indexed one. Every run puts the real arguments where the
 * stand-ins ended up among the compiled parameters and keeps the constants.
 */
export function prepare<A extends Record<string, unknown>, R>(
  names: readonly (keyof A & string)[],
  build: (args: A) => Compilable<R>,
): (q: Queryable, args: A) => Promise<QueryResult<R>> {
  return runNamed<A, R>(compileNamed(names, build));
}

/** A statement compiled by compileNamed, to be run with new arguments. */
interface Named<A> {
  compiled: CompiledQuery<unknown>;
  bindings: readonly (keyof A | undefined)[];
}

/** A statement compiled by compileNamed with `args` where its stand-ins were. */
export function bindNamed<A extends Record<string, unknown>, R>(
  { compiled, bindings }: Named<A>,
  args: A,
): CompiledQuery<R> {
  return {
    ...compiled,
    parameters: bindings.map((name, i) =>
      name === undefined ? compiled.parameters[i] : args[name],
    ),
  };
}

/** Runs a statement compiled by compileNamed with new arguments (see prepare). */
export function runNamed<A extends Record<string, unknown>, R>(
  named: Named<A>,
): (q: Queryable, args: A) => Promise<QueryResult<R>> {
  return (q, args) => q.executeQuery<R>(bindNamed<A, R>(named, args));
}

// Bound parameters one statement may carry on both engines (SQLite allows 32 766, PostgreSQL
// 65 535).
const MAX_BOUND_PARAMETERS = 32_000;

/** `rows` in slices small enough for one multi-row INSERT each, whatever the engine. */
export function* insertSlices<T extends object>(rows: readonly T[]): Generator<T[]> {
  const [first] = rows;
  if (first === undefined) return;
  const perStatement = Math.max(1, Math.floor(MAX_BOUND_PARAMETERS / Object.keys(first).length));
  for (let i = 0; i < rows.length; i += perStatement) yield rows.slice(i, i + perStatement);
}

/** `check` then `write` in a transaction of their own (Db.groupedTransaction without a group). */
export function checkedTransaction<T>(
  kysely: Kysely<Database>,
  check: (trx: Tx) => Promise<Error | undefined>,
  write: (trx: Tx) => Promise<T>,
): Promise<T> {
  return kysely.transaction().execute(async (trx) => {
    const refusal = await check(trx);
    if (refusal) throw refusal;
    return write(trx);
  });
}
