import type { Db } from '../db.js';

/** Small installation-wide facts (e.g. the last tenant-configuration refresh). */
export class SystemStateRepo {
  constructor(private readonly db: Db) {}

  /** The value stored under `key`. */
  async get(key: string): Promise<string | undefined> {
    const row = await this.db.kysely
      .selectFrom('system_state')
      .select('value')
      .where('key', '=', key)
      .executeTakeFirst();
    return row?.value;
  }

  /** Stores `value` under `key`. */
  async set(key: string, value: string): Promise<void> {
    await this.db.kysely
      .insertInto('system_state')
      .values({ key, value })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
      .execute();
  }
}
