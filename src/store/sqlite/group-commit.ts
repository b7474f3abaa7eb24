import type { Kysely } from 'kysely';
import type { Tx } from '../db.js';
import type { Database } from '../schema.js';
import { checkedTransaction } from '../sql.js';

/** Calls sharing one transaction at most; bounds how long other queries wait behind a group. */
const MAX_GROUP = 64;

interface GroupMember {
  check: (trx: Tx) => Promise<Error | undefined>;
  write: (trx: Tx) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit for a single writer (Db.groupedTransaction). A commit writes every page its
 * transaction changed to the WAL (bench/README.md); calls that share a transaction share the pages they have in
 * common, and the per-transaction work. No savepoints: SQLite copies each page a savepoint
 * changes into a statement journal first, which costs what grouping saves, hence the rule that
 * `check` does not write.
 */
export function groupCommitter(kysely: Kysely<Database>) {
  let open: GroupMember[] | undefined;
  const alone = (m: GroupMember) => checkedTransaction(kysely, m.check, m.write);
  async function commit(members: readonly GroupMember[]): Promise<void> {
    const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
    try {
      await kysely.transaction().execute(async (trx) => {
        for (const m of members) {
          const refusal = await m.check(trx);
          outcomes.push(
            refusal ? { ok: false, error: refusal } : { ok: true, value: await m.write(trx) },
          );
        }
      });
    } catch {
      // Nothing of the group is stored; the one that failed must not take the others with it.
      // Each call is run alone and reports its own error, so nothing is lost here.
      for (const m of members) await alone(m).then(m.resolve, m.reject);
      return;
    }
    members.forEach((m, i) => {
      const outcome = outcomes[i];
      if (outcome?.ok) m.resolve(outcome.value);
      else m.reject(outcome?.error);
    });
  }
  return <T>(check: (trx: Tx) => Promise<Error | undefined>, write: (trx: Tx) => Promise<T>) =>
    new Promise<T>((resolve, reject) => {
      if (!open || open.length >= MAX_GROUP) {
        const members: GroupMember[] = [];
        open = members;
        // better-sqlite3 answers synchronously, so a transaction started at once would finish
        // before any other request is read: wait for the requests of this turn to join first.
        setImmediate(() => {
          if (open === members) open = undefined;
          void commit(members);
        });
      }
      open.push({ check, write, resolve: (value) => resolve(value as T), reject });
    });
}
