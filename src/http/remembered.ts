import zlib from 'node:zlib';
import type { FastifyReply } from 'fastify';
import { chooseCompression, type Compression } from './encoding.js';
import { ByteLru } from '../infra/byte-lru.js';
import { successTail, successWithDataFirst } from './envelope.js';

/** An answer the service remembers: the same object for the same question, built when asked. */
export interface Remembered {
  build(): object;
}

/**
 * What is kept of a remembered answer's body up to its per-request tail (the correlation ID):
 * its compressed forms, or the bytes themselves when too small to compress. The data comes first
 * in the envelope so that only the tail changes per request: a compressed prefix then takes the
 * tail as one more block (deflate and brotli both allow an uncompressed block after a flush),
 * and gzip's CRC runs on from the prefix's.
 */
interface Compact {
  /** Bytes of the body up to its tail, uncompressed. */
  length: number;
  small?: Buffer;
  gzip?: Gzipped;
  br?: Buffer;
}

interface Gzipped {
  deflated: Buffer;
  crc: number;
}

type Compressed = { coding: 'gzip'; form: Gzipped } | { coding: 'br'; form: Buffer };

// Smaller answers gain too little from compression to pay for a second copy.
const MIN_COMPRESSED_BYTES = 1024;
// Quality 5 and gzip's default level: measured on a week's availability (bench/README.md,
// "Measurements behind the code").
const BROTLI_QUALITY = 5;
const OFFERED: readonly Compression[] = ['br', 'gzip'];
// zlib's smallest output chunk.
const MIN_CHUNK_BYTES = 64;
// What an uncompressed body costs in the recent-bodies budget beyond its bytes.
const PLAIN_OVERHEAD_BYTES = 200;

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

/** `coding`'s form of the body `plain`, now kept with the rest of `entry`. */
function compress(entry: Compact, coding: Compression, plain: Buffer): Compressed {
  if (coding === 'gzip') {
    entry.gzip = {
      deflated: exact(zlib.deflateRawSync(plain, { finishFlush: zlib.constants.Z_SYNC_FLUSH })),
      crc: zlib.crc32(plain),
    };
    return { coding, form: entry.gzip };
  }
  entry.br = exact(
    zlib.brotliCompressSync(plain, {
      finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH,
      params: {
        [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT,
        [zlib.constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY,
        [zlib.constants.BROTLI_PARAM_SIZE_HINT]: plain.length,
      },
    }),
  );
  return { coding, form: entry.br };
}

/**
 * A copy of exactly `view`'s bytes, in memory of its own: zlib answers with a view of its 16 KB
 * output chunk, which a kept 1–3 KB answer would otherwise hold on to.
 */
function exact(view: Buffer): Buffer {
  const copy = Buffer.allocUnsafeSlow(view.length);
  view.copy(copy);
  return copy;
}

/** `coding`'s form of the body if kept. */
function keptForm(entry: Compact, coding: Compression): Compressed | undefined {
  if (coding === 'gzip') return entry.gzip && { coding, form: entry.gzip };
  return entry.br && { coding, form: entry.br };
}

/** The body again from a compressed form kept of it (every answer worth compressing has one). */
function decompress(entry: Compact): Buffer {
  // One output chunk of the known size: zlib's default 16 KB chunks cost more than the inflating.
  const chunkSize = Math.max(entry.length, MIN_CHUNK_BYTES);
  if (entry.gzip) {
    return zlib.inflateRawSync(entry.gzip.deflated, {
      finishFlush: zlib.constants.Z_SYNC_FLUSH,
      chunkSize,
    });
  }
  if (entry.br) {
    return zlib.brotliDecompressSync(entry.br, {
      finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH,
      chunkSize,
    });
  }
  throw new Error('a remembered answer kept with no form of its body');
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

/** The whole body compressed: the kept prefix, then this request's tail (a few bytes). */
function assembleCompressed(compressed: Compressed, plainLength: number, tail: string) {
  const tailBytes = Buffer.byteLength(tail);
  if (compressed.coding === 'gzip') {
    const { deflated, crc } = compressed.form;
    const length =
      GZIP_HEADER.length + deflated.length + STORED_HEADER_BYTES + tailBytes + GZIP_TRAILER_BYTES;
    const buffer = take(length);
    let at = GZIP_HEADER.copy(buffer, 0);
    at += deflated.copy(buffer, at);
    buffer[at] = 0x01;
    buffer.writeUInt16LE(tailBytes, at + 1);
    buffer.writeUInt16LE(~tailBytes & 0xffff, at + 3);
    at += STORED_HEADER_BYTES;
    at += buffer.write(tail, at);
    buffer.writeUInt32LE(zlib.crc32(buffer.subarray(at - tailBytes, at), crc), at);
    buffer.writeUInt32LE((plainLength + tailBytes) % 2 ** 32, at + 4);
    return { buffer, length };
  }
  const br = compressed.form;
  const length = br.length + BROTLI_BLOCK_HEADER_BYTES + tailBytes + 1;
  const buffer = take(length);
  let at = br.copy(buffer, 0);
  buffer.writeUIntLE(((tailBytes - 1) << 3) | (1 << 19), at, BROTLI_BLOCK_HEADER_BYTES);
  at += BROTLI_BLOCK_HEADER_BYTES;
  at += buffer.write(tail, at);
  buffer[at] = BROTLI_END;
  return { buffer, length };
}

/** The whole body uncompressed: the prefix, then this request's tail. */
function assemblePlain(plain: Buffer, tail: string) {
  const length = plain.length + Buffer.byteLength(tail);
  const buffer = take(length);
  plain.copy(buffer, 0);
  buffer.write(tail, plain.length);
  return { buffer, length };
}

/**
 * Sends the success envelope around answers the service remembers: each answer is serialized
 * once, compressed once per coding a client asked for (brotli or gzip, as its `accept-encoding`
 * prefers), and only the status block's correlation ID is added per request. The compressed
 * forms are kept as long as the service keeps the answer (and counted in its budget: thousands of
 * queues' weeks fit as compressed bytes, not as objects or JSON); the uncompressed bodies of the
 * answers served most recently are kept within a budget of their own, and any other is inflated
 * again from a compressed form. The route's response schema still documents the body.
 */
export class RememberedBodies {
  private readonly kept = new WeakMap<Remembered, Compact>();
  private readonly recent: ByteLru<Remembered, Buffer>;

  constructor(plainBudgetBytes: number) {
    this.recent = new ByteLru(plainBudgetBytes, (body) => body.length + PLAIN_OVERHEAD_BYTES);
  }

  send(reply: FastifyReply, corrId: string, answer: Remembered): FastifyReply {
    const accepted = chooseCompression(reply.request.headers['accept-encoding'], OFFERED);
    const entry = this.kept.get(answer) ?? this.keep(answer, accepted ?? 'gzip');
    const coding = entry.small ? undefined : accepted;
    const tail = successTail(corrId);
    const { buffer, length } = coding
      ? assembleCompressed(
          keptForm(entry, coding) ?? compress(entry, coding, this.plainOf(answer, entry)),
          entry.length,
          tail,
        )
      : assemblePlain(this.plainOf(answer, entry), tail);
    // Only once the socket has written it is the buffer free; a response that never finishes
    // (the client went away) leaves it to the collector instead.
    reply.raw.once('finish', () => giveBack(buffer));
    const vary = reply.getHeader('vary');
    reply.header(
      'vary',
      vary === undefined ? 'accept-encoding' : `${String(vary)}, accept-encoding`,
    );
    if (coding) reply.header('content-encoding', coding);
    return reply.type('application/json; charset=utf-8').send(buffer.subarray(0, length));
  }

  /**
   * Serializes an answer seen for the first time and keeps it: small ones as they are, others
   * compressed at once (in the coding asked for, gzip for none) so that they are never built again.
   */
  private keep(answer: Remembered, coding: Compression): Compact {
    const plain = Buffer.from(successWithDataFirst(JSON.stringify(answer.build())));
    const entry: Compact = { length: plain.length };
    if (plain.length < MIN_COMPRESSED_BYTES) entry.small = plain;
    else {
      compress(entry, coding, plain);
      this.recent.set(answer, plain);
    }
    this.kept.set(answer, entry);
    return entry;
  }

  /** The uncompressed body: small, recently served, or inflated again. */
  private plainOf(answer: Remembered, entry: Compact): Buffer {
    const plain = entry.small ?? this.recent.get(answer);
    if (plain) return plain;
    const inflated = decompress(entry);
    this.recent.set(answer, inflated);
    return inflated;
  }
}
