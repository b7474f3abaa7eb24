import { sql, type Kysely } from 'kysely';
import { readBlockedPattern } from '../../domain/settings-rules.js';
import { newId } from '../../security/tokens.js';

/**
 * Blocked numbers are no longer regular expressions (one could stall every booking) but
 * patterns that cannot backtrack. Each stored regular expression with an exact equivalent is
 * rewritten to it; one without is removed, and the removal is written to the tenant's audit log
 * with the old expression, so its administrators see what to re-enter as patterns.
 */
export function numberPatterns() {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      const rows = await sql<{ tenant_id: string; name: string; settings: string }>`
        select tenant_id, name, settings from queues`.execute(db);
      const now = Date.now();
      for (const row of rows.rows) {
        const settings = JSON.parse(row.settings) as {
          numberRule?: { blocked?: unknown };
        };
        const blocked = settings.numberRule?.blocked;
        if (!Array.isArray(blocked) || blocked.length === 0) continue;
        const kept: string[] = [];
        const removed: unknown[] = [];
        for (const old of blocked) {
          const read = typeof old === 'string' ? readBlockedPattern(old) : undefined;
          if (read?.ok === true) {
            if (!kept.includes(read.pattern)) kept.push(read.pattern);
          } else removed.push(old);
        }
        if (JSON.stringify(kept) === JSON.stringify(blocked)) continue;
        const numberRule = { ...settings.numberRule, blocked: kept };
        await sql`update queues set settings = ${JSON.stringify({ ...settings, numberRule })}
          where tenant_id = ${row.tenant_id} and name = ${row.name}`.execute(db);
        await sql`insert into audit_log (id, tenant_id, actor, action, target, before, after, created_at)
          values (${newId('aud', now)}, ${row.tenant_id}, ${'system (upgrade)'},
            ${'queue.numberRule.convert'}, ${row.name}, ${JSON.stringify({ blocked })},
            ${JSON.stringify({ blocked: kept, removed })}, ${now})`.execute(db);
      }
    },
  };
}
