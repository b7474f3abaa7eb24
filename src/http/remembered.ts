import type { FastifyReply } from 'fastify';
import { successHead } from './envelope.js';

// A remembered answer (the same object for the same question) is encoded once.
const encoded = new WeakMap<object, Buffer>();

// Response buffers, reused once their response has been written. Copying a remembered answer into
// one is far cheaper than a fresh ~50 KB string per request, which V8 flattens and Node encodes
// again on every send, or a fresh buffer, which the collector then has to chase.
const MIN_BUFFER_BYTES = 16 * 1024;
const POOL_LIMIT_BYTES = 8 * 1024 * 1024;
const pool = new Map<number, Buffer[]>();
let pooledBytes = 0;

function take(bytes: number): Buffer {
  // Powers of two, so answers of similar size share buffers.
  const size = Math.max(MIN_BUFFER_BYTES, 2 ** Math.ceil(Math.log2(bytes)));
  const buffer = pool.get(size)?.pop();
  if (!buffer) return Buffer.allocUnsafeSlow(size);
  pooledBytes -= size;
  return buffer;
}

function giveBack(buffer: Buffer): void {
  if (pooledBytes + buffer.length > POOL_LIMIT_BYTES) return;
  pooledBytes += buffer.length;
  const sized = pool.get(buffer.length);
  if (sized) sized.push(buffer);
  else pool.set(buffer.length, [buffer]);
}

/**
 * Sends the success envelope around an answer the service remembers: `data` is serialized once,
 * only the status block per request. The route's response schema still documents the body.
 */
export function sendRemembered(reply: FastifyReply, corrId: string, data: object): FastifyReply {
  let body = encoded.get(data);
  if (!body) {
    body = Buffer.from(JSON.stringify(data));
    encoded.set(data, body);
  }
  const head = successHead(corrId);
  const headBytes = Buffer.byteLength(head);
  const length = headBytes + body.length + 1;
  const buffer = take(length);
  buffer.write(head, 0);
  body.copy(buffer, headBytes);
  buffer[length - 1] = 0x7d; // the envelope's closing "}"
  // Only once the socket has written it is the buffer free; a response that never finishes
  // (the client went away) leaves it to the collector instead.
  reply.raw.once('finish', () => giveBack(buffer));
  return reply.type('application/json; charset=utf-8').send(buffer.subarray(0, length));
}
