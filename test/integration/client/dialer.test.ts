import { spawn } from 'node:child_process';
import path from 'node:path';
import { beforeEach, expect, it } from 'vitest';
import { describeEngines } from '../../helpers/engines.js';
import { listeningService } from './listening.js';

const REPO = path.resolve(import.meta.dirname, '../../..');

interface DialerEvent {
  event: string;
  id?: string;
  outcome?: string;
}

describeEngines('examples/dialer.ts against the service', (engine) => {
  const s = listeningService(engine);
  let serviceName = '';
  beforeEach(async () => {
    s.t.clock.set('2026-11-25T15:00:00Z');
    serviceName = await s.queue();
  });

  it('dials what it claims, and on SIGTERM releases what it holds but has not started', async () => {
    const book = async (phone: string, userData: Record<string, string> = {}) =>
      (await s.engagement.book({ serviceName, phoneNumber: phone, userData })).id;
    const quick = [
      await book('+12125550301'),
      await book('+12125550302', { simulatedOutcome: 'NO_ANSWER' }),
      await book('+12125550303'),
    ];
    // Waiting for a trunk that never frees: claimed, never started.
    const stuck = [
      await book('+12125550304', { simulatedDialMs: '600000' }),
      await book('+12125550305', { simulatedDialMs: '600000' }),
    ];

    const dialer = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'examples/dialer.ts',
        '--queues',
        serviceName,
        '--lines',
        '4',
        '--wait',
        '2',
      ],
      {
        cwd: REPO,
        env: {
          ...process.env,
          OC_BASE_URL: s.baseUrl,
          OC_DISPATCH_KEY: s.tenant.keys.dispatch,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const events: DialerEvent[] = [];
    let stderr = '';
    let partial = '';
    dialer.stdout.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) events.push(JSON.parse(line) as DialerEvent);
    });
    dialer.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => dialer.once('exit', resolve));

    const seen = (event: string) => events.filter((e) => e.event === event).map((e) => e.id);
    const deadline = Date.now() + 60_000;
    while (seen('finished').length < quick.length || seen('claimed').length < 5) {
      if (Date.now() > deadline) throw new Error(`the dialer did not get there: ${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(seen('finished').sort()).toEqual([...quick].sort());
    expect(events.find((e) => e.id === quick[1] && e.event === 'finished')?.outcome).toBe(
      'NO_ANSWER',
    );

    dialer.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(seen('released').sort()).toEqual([...stuck].sort());
    expect(events.at(-1)?.event).toBe('stopped');
    for (const id of stuck) expect((await s.engagement.retrieve(id)).callbackState).toBe('QUEUED');
    expect((await s.engagement.retrieve(quick[0] ?? '')).callbackState).toBe('COMPLETED');
    // No answer retries later.
    expect((await s.engagement.retrieve(quick[1] ?? '')).callbackState).toBe('SCHEDULED');
  });
});
