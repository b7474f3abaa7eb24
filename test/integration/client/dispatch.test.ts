import { beforeEach, expect, it } from 'vitest';
import { OpenCallbackError } from '@opencallback/client/dispatch';
import { describeEngines } from '../../helpers/engines.js';
import { listeningService } from './listening.js';

describeEngines('typed client: the dispatch and admin APIs', (engine) => {
  const s = listeningService(engine);
  let serviceName = '';
  beforeEach(async () => {
    s.t.clock.set('2026-11-25T15:00:00Z');
    serviceName = await s.queue();
  });
  const claim = (maxCallbacks = 1, waitSeconds = 0, signal?: AbortSignal) =>
    s.dispatch.claim(
      { serviceNames: [serviceName], leaseSeconds: 60, waitSeconds, maxCallbacks },
      { signal },
    );

  it('claims, starts and finishes a callback, one by one and in batches', async () => {
    const first = await s.engagement.book({ serviceName, phoneNumber: '+12125550201' });
    const claimed = await claim();
    expect(claimed.callback?.id).toBe(first.id);
    expect((await s.dispatch.start(first.id)).callbackState).toBe('PROCESSING');
    const done = await s.dispatch.finish(first.id, 'AGENT_CONNECTED');
    expect(done).toMatchObject({ id: first.id, callbackState: 'COMPLETED' });

    const ids = [];
    for (const phone of ['+12125550202', '+12125550203'])
      ids.push((await s.engagement.book({ serviceName, phoneNumber: phone })).id);
    expect((await claim(5)).callbacks.map((c) => c.id)).toEqual(ids);
    const started = await s.dispatch.startMany([...ids, 'no-such-callback']);
    expect(started.results.map((r) => r.callback?.callbackState ?? r.error?.code)).toEqual([
      'PROCESSING',
      'PROCESSING',
      40401,
    ]);
    const finished = await s.dispatch.finishMany(ids.map((id) => ({ id, outcome: 'BUSY' })));
    // Busy retries later: the callbacks are scheduled again.
    expect(finished.results.map((r) => r.callback?.callbackState)).toEqual([
      'SCHEDULED',
      'SCHEDULED',
    ]);
  });

  it('releases a claimed callback back to its queue', async () => {
    const { id } = await s.engagement.book({ serviceName, phoneNumber: '+12125550204' });
    await claim();
    expect((await s.dispatch.release(id)).callbackState).toBe('QUEUED');
    expect((await s.engagement.retrieve(id)).callbackState).toBe('QUEUED');
  });

  it('an aborted long-poll claim ends, and claims nothing more on the service', async () => {
    const abort = new AbortController();
    const started = Date.now();
    const waiting = claim(1, 10, abort.signal);
    setTimeout(() => abort.abort(), 200);
    await expect(waiting).rejects.toThrow(/abort/i);
    expect(Date.now() - started).toBeLessThan(2500);
    // Booked after the dialer hung up: its orphaned poll must not take it.
    const { id } = await s.engagement.book({ serviceName, phoneNumber: '+12125550208' });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect((await s.engagement.retrieve(id)).callbackState).toBe('QUEUED');
    await s.admin.cancelCallback(id);
  });

  it('a start of a callback not held refuses with an OpenCallbackError', async () => {
    const { id } = await s.engagement.book({ serviceName, phoneNumber: '+12125550205' });
    const refusal = await s.dispatch.start(id).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(OpenCallbackError);
    expect(refusal).toMatchObject({ status: 409 });
  });

  it('the admin client searches, reads and cancels callbacks, and follows a purge job', async () => {
    const { id } = await s.engagement.book({ serviceName, phoneNumber: '+12125550206' });
    const queue = await s.admin.getQueue(serviceName);
    expect(queue).toMatchObject({ name: serviceName });
    expect(JSON.stringify(await s.admin.listQueues())).toContain(serviceName);

    const search = await s.admin.searchCallbacks({
      range: 'today',
      timeField: 'created',
      limit: 10,
      queue: serviceName,
    });
    expect(JSON.stringify(search)).toContain(id);
    expect(JSON.stringify(await s.admin.getCallback(id))).toContain(id);
    await s.admin.cancelCallback(id);
    expect((await s.engagement.retrieve(id)).callbackState).toBe('COMPLETED');

    await s.engagement.book({ serviceName, phoneNumber: '+12125550207' });
    const started = (await s.admin.purgeQueue(serviceName)) as { id: string };
    let job = await s.admin.getJob(started.id);
    for (let i = 0; i < 50 && (job.state === 'queued' || job.state === 'running'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      job = await s.admin.getJob(started.id);
    }
    expect(job.state).toBe('succeeded');
  });
});
