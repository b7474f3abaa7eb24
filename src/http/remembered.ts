import zlib from 'node:zlib';
import type { FastifyReply } from 'fastify';
import { chooseCompression, type Compression } from './encoding.js';
import { successTail, successWithDataFirst } from './envelope.js';

/**
 * A remembered answer's body up to its per-request tail (the correlation ID), serialized once and
 * compressed once per coding a client asked for. The data comes first in the envelope so that
 * only the tail changes per request: a compressed prefix then takes the tail as one more block
 * (deflate and brotli both allow an uncompressed block after a flush), and gzip's CRC runs on
 * from the prefix's.
 */
interface Encoded {
  plain: Buffer;
  gzip?: { deflated: Buffer; crc: number };
  br?: Buffer;
}

// A remembered answer (the same object for the same question) is encoded once; its encodings live
// exactly as long as whoever remembers the answer keeps it, and count against that bound.
const encoded = new WeakMap<object, Encoded>();

// Smaller answers gain too little from compression to pay for a second copy.
const MIN_COMPRESSED_BYTES = 1024;
// Quality 5 and gzip's default level: measured on a week's availability (bench/README.md,
// "Measurements behind the code").
const BROTLI_QUALITY = 5;
const OFFERED: readonly Compression[] = ['br', 'gzip'];

// gzip member header: deflate, no flags, no time, no extra flags, OS unknown.
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
const GZIP_TRAILER_BYTES = 8;
// A final stored deflate block: BFINAL=1, BTYPE=00, then LEN and its complement (RFC 1951 3.2.4).
const STORED_HEADER_BYTES = 5;
// An uncompressed brotli meta-block of up to 65 536 bytes: ISLAST=0, MNIBBLES=4, MLEN-1 in 16
// bits, ISUNCOMPRESSED=1, padded to the byte (RFC 7932 9.2); the stream then ends with an empty
// last meta-block (ISLAST=1, ISLASTEMPTY=1).
const BROTLI_BLOCK_HEADER_BYTES = 3;
const BROTLI_END = 0x03;

function compressed(entry: Encoded, coding: Compression): Encoded {
  if (coding === 'gzip' && !entry.gzip) {
    entry.gzip = {
      deflated: zlib.deflateRawSync(entry.plain, {
        finishFlush: zlib.constants.Z_SYNC_FLUSH,
      }),
      crc: zlib.crc32(entry.plain),
    };
  } else if (coding === 'br' && !entry.br) {
    entry.br = zlib.brotliCompressSync(entry.plain, {
      finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH,
      params: {
        [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT,
        [zlib.constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY,
        [zlib.constants.BROTLI_PARAM_SIZE_HINT]: entry.plain.length,
      },
    });
  }
  return entry;
}

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

/** The whole body in `coding`: the remembered prefix, then this request's tail (a few bytes). */
function assemble(entry: Encoded, coding: Compression | undefined, tail: string) {
  const { plain, gzip, br } = entry;
  const tailBytes = Buffer.byteLength(tail);
  if (coding === 'gzip' && gzip) {
    const length =
      GZIP_HEADER.length +
      gzip.deflated.length +
      STORED_HEADER_BYTES +
      tailBytes +
      GZIP_TRAILER_BYTES;
    const buffer = take(length);
    let at = GZIP_HEADER.copy(buffer, 0);
    at += gzip.deflated.copy(buffer, at);
    buffer[at] = 0x01;
    buffer.writeUInt16LE(tailBytes, at + 1);
    buffer.writeUInt16LE(~tailBytes & 0xffff, at + 3);
    at += STORED_HEADER_BYTES;
    at += buffer.write(tail, at);
    buffer.writeUInt32LE(zlib.crc32(buffer.subarray(at - tailBytes, at), gzip.crc), at);
    buffer.writeUInt32LE((plain.length + tailBytes) % 2 ** 32, at + 4);
    return { buffer, length };
  }
  if (coding === 'br' && br) {
    const length = br.length + BROTLI_BLOCK_HEADER_BYTES + tailBytes + 1;
    const buffer = take(length);
    let at = br.copy(buffer, 0);
    buffer.writeUIntLE(((tailBytes - 1) << 3) | (1 << 19), at, BROTLI_BLOCK_HEADER_BYTES);
    at += BROTLI_BLOCK_HEADER_BYTES;
    at += buffer.write(tail, at);
    buffer[at] = BROTLI_END;
    return { buffer, length };
  }
  const length = plain.length + tailBytes;
  const buffer = take(length);
  plain.copy(buffer, 0);
  buffer.write(tail, plain.length);
  return { buffer, length };
}

/**
 * Sends the success envelope around an answer the service remembers: `data` is serialized once,
 * compressed once per coding (brotli or gzip, as the request's `accept-encoding` prefers), and
 * only the status block's correlation ID is added per request. The route's response schema still
 * documents the body.
 */
export function sendRemembered(reply: FastifyReply, corrId: string, data: object): FastifyReply {
  let entry = encoded.get(data);
  if (!entry) {
    entry = { plain: Buffer.from(successWithDataFirst(JSON.stringify(data))) };
    encoded.set(data, entry);
  }
  const coding =
    entry.plain.length >= MIN_COMPRESSED_BYTES
      ? chooseCompression(reply.request.headers['accept-encoding'], OFFERED)
      : undefined;
  if (coding) compressed(entry, coding);
  const { buffer, length } = assemble(entry, coding, successTail(corrId));
  // Only once the socket has written it is the buffer free; a response that never finishes
  // (the client went away) leaves it to the collector instead.
  reply.raw.once('finish', () => giveBack(buffer));
  const vary = reply.getHeader('vary');
  reply.header('vary', vary === undefined ? 'accept-encoding' : `${String(vary)}, accept-encoding`);
  if (coding) reply.header('content-encoding', coding);
  return reply.type('application/json; charset=utf-8').send(buffer.subarray(0, length));
}
