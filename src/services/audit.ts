import type { Store } from '../store/index.js';
import { newId } from '../security/tokens.js';
import type { Clock } from '../infra/clock.js';

/** Who did an admin action: a console user, an admin API key, the CLI or the system. */
export interface Actor {
  tenantId: string;
  /** e.g. `user:admin`, `key:ocb_abc123`, `cli`, `config`. */
  name: string;
}

/** Writes and reads the audit log of admin actions. */
export class AuditService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  /** Records one admin action with what it changed. */
  async record(
    actor: Actor,
    action: string,
    target: string,
    before?: unknown,
    after?: unknown,
  ): Promise<void> {
    const now = this.clock.now();
    await this.store.logs.insertAudit({
      id: newId('aud', now),
      tenant_id: actor.tenantId,
      actor: actor.name,
      action,
      target,
      before: before === undefined ? null : JSON.stringify(before),
      after: after === undefined ? null : JSON.stringify(after),
      created_at: now,
    });
  }

  /** A tenant's audit entries, newest first. */
  async list(tenantId: string, limit: number, before?: string) {
    const rows = await this.store.logs.listAudit(tenantId, { limit, before });
    return rows.map((r) => ({
      id: r.id,
      actor: r.actor,
      action: r.action,
      target: r.target,
      before: r.before === null ? null : (JSON.parse(r.before) as unknown),
      after: r.after === null ? null : (JSON.parse(r.after) as unknown),
      createdAt: new Date(r.created_at).toISOString(),
    }));
  }
}
