import zlib from 'node:zlib';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RememberedBodies, type Remembered } from '../../../src/http/remembered.js';

// Answers are kept as compressed bytes, and only the most recent ones uncompressed too: every
// client still reads exactly the answer, in the coding it asked for, however long ago it was made.

/** An answer of `slots` slots that counts how often it is built. */
function answer(name: string, slots: number) {
  const made = { builds: 0 };
  const data = {
    name,
    slots: Array.from({ length: slots }, (_, i) => ({ utcTime: `2026-11-26T${i}`, capacity: i })),
  };
  const remembered: Remembered = {
    build: () => {
      made.builds++;
      return data;
    },
  };
  return { remembered, made, data };
}

const decode: Record<string, (body: Buffer) => Buffer> = {
  gzip: (body) => zlib.gunzipSync(body),
  br: (body) => zlib.brotliDecompressSync(body),
  identity: (body) => body,
};

describe('remembered answers', () => {
  let app: FastifyInstance;
  // Room for about two weeks' worth of uncompressed bodies.
  const bodies = new RememberedBodies(60_000);
  const answers = Array.from({ length: 6 }, (_, i) => answer(`queue-${i}`, 500));
  const small = answer('small', 2);
  const all = new Map([...answers, small].map((a) => [a.data.name, a.remembered]));

  beforeAll(async () => {
    app = Fastify();
    app.get<{ Params: { name: string } }>('/:name', (request, reply) => {
      const remembered = all.get(request.params.name);
      if (!remembered) throw new Error('no such answer');
      return bodies.send(reply, request.id, remembered);
    });
    await app.ready();
  });
  afterAll(async () => app.close());

  async function ask(name: string, acceptEncoding?: string) {
    const res = await app.inject({
      url: `/${name}`,
      headers: acceptEncoding === undefined ? {} : { 'accept-encoding': acceptEncoding },
    });
    expect(res.statusCode).toBe(200);
    expect(Number(res.headers['content-length'])).toBe(res.rawPayload.length);
    const coding = String(res.headers['content-encoding'] ?? 'identity');
    const body = JSON.parse(decode[coding]?.(res.rawPayload).toString() ?? 'null') as {
      data: unknown;
      status: { corrId: string };
    };
    return { coding, body, sent: res.rawPayload.length };
  }

  it('answers every coding from one build, however many answers came between', async () => {
    for (const [i, a] of answers.entries()) {
      // Half the answers first asked without a coding, half compressed.
      const first = await ask(a.data.name, i % 2 === 0 ? undefined : 'gzip, br');
      expect(first.body.data).toEqual(a.data);
    }
    // Six bodies of ~25 KB: the first ones are no longer kept uncompressed.
    for (const a of answers) {
      for (const accept of [undefined, 'gzip', 'br'] as const) {
        const again = await ask(a.data.name, accept);
        expect(again.coding, `${a.data.name} ${accept}`).toBe(accept ?? 'identity');
        expect(again.body.data, `${a.data.name} ${accept}`).toEqual(a.data);
      }
      expect(a.made.builds, a.data.name).toBe(1);
    }
  });

  it('compresses to a fraction and carries each request its own correlation ID', async () => {
    const [a] = answers;
    if (!a) throw new Error('no answer');
    const plain = await ask(a.data.name);
    const ids = new Set<string>();
    for (const accept of ['gzip', 'br', 'gzip', 'br']) {
      const compressed = await ask(a.data.name, accept);
      expect(compressed.sent).toBeLessThan(plain.sent / 4);
      ids.add(compressed.body.status.corrId);
    }
    expect(ids.size).toBe(4);
  });

  it('sends a small answer as it is, whatever the client accepts', async () => {
    for (const accept of [undefined, 'gzip', 'br']) {
      const res = await ask('small', accept);
      expect(res.coding).toBe('identity');
      expect(res.body.data).toEqual(small.data);
    }
    expect(small.made.builds).toBe(1);
  });
});
