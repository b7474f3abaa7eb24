import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { AppError } from '../../domain/errors.js';
import { chooseCompression } from '../encoding.js';

/** Where `npm run build` puts the widget bundle, whether we run from src/ or dist/. */
const BUNDLE = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
  'dist',
  'widget',
  'opencallback.js',
);

// v1 is a stable path that still receives fixes, so not `immutable`: a week in caches, then a
// cheap revalidation through the ETag.
const CACHE_CONTROL = 'public, max-age=604800';

// The CAPTCHA providers the widget may load on the demo page (the service's own CSP allows only
// itself otherwise).
const CAPTCHA_ORIGINS = [
  'https://www.google.com',
  'https://www.gstatic.com',
  'https://js.hcaptcha.com',
  'https://*.hcaptcha.com',
  'https://challenges.cloudflare.com',
];

interface Bundle {
  mtimeMs: number;
  plain: Buffer;
  gzip: Buffer;
  etag: string;
}

let cached: Bundle | undefined;

/** The built bundle, re-read when a rebuild changed it; undefined when it was never built. */
function bundle(): Bundle | undefined {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(BUNDLE);
  } catch {
    return undefined;
  }
  if (cached?.mtimeMs === stat.mtimeMs) return cached;
  const plain = fs.readFileSync(BUNDLE);
  const hash = crypto.createHash('sha256').update(plain).digest('base64url').slice(0, 22);
  cached = {
    mtimeMs: stat.mtimeMs,
    plain,
    gzip: zlib.gzipSync(plain, { level: 9 }),
    etag: `"${hash}"`,
  };
  return cached;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const DemoQuery = Type.Object({
  'api-key': Type.Optional(Type.String({ maxLength: 200 })),
  service: Type.Optional(Type.String({ maxLength: 64 })),
  lang: Type.Optional(Type.String({ maxLength: 8 })),
  theme: Type.Optional(Type.String({ maxLength: 16 })),
});

/** The page a tenant opens to try the widget with one of its keys (nothing is pre-filled). */
function demoPage(
  q: { 'api-key'?: string; service?: string; lang?: string; theme?: string },
  origin: string,
) {
  const field = (name: string, label: string, value: string | undefined) =>
    `<label>${label} <input name="${name}" value="${escapeHtml(value ?? '')}"></label>`;
  const ready = q['api-key'] && q.service;
  const attrs = [
    `api-key="${escapeHtml(q['api-key'] ?? '')}"`,
    `service="${escapeHtml(q.service ?? '')}"`,
    ...(q.lang ? [`lang="${escapeHtml(q.lang)}"`] : []),
    ...(q.theme ? [`theme="${escapeHtml(q.theme)}"`] : []),
  ].join(' ');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>OpenCallback booking widget demo</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem}
form{display:grid;gap:.5rem;margin-bottom:2rem}label{display:grid}</style>
<script src="/widget/v1/opencallback.js" defer></script>
</head>
<body>
<main>
<h1>Booking widget demo</h1>
<p>Paste a browser API key of your tenant and a queue name. The snippet for your own page:</p>
<pre><code>&lt;script src="${escapeHtml(origin)}/widget/v1/opencallback.js" defer&gt;&lt;/script&gt;
&lt;opencallback-booking api-key="…" service="support" lang="en"&gt;&lt;/opencallback-booking&gt;</code></pre>
<form method="get" action="/widget/demo">
${field('api-key', 'API key', q['api-key'])}
${field('service', 'Queue (service name)', q.service)}
${field('lang', 'Language (en, de, fr, es)', q.lang)}
${field('theme', 'Theme (light, dark)', q.theme)}
<button>Show the widget</button>
</form>
${ready ? `<opencallback-booking ${attrs}></opencallback-booking>` : ''}
</main>
</body>
</html>
`;
}

/** The booking widget's bundle (`/widget/v1/opencallback.js`) and its demo page. */
export async function widgetRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/widget/v1/opencallback.js',
    // Pages of any origin load it with a plain <script>; helmet's same-origin resource policy
    // would block exactly that.
    { schema: { hide: true }, helmet: false },
    async (request, reply) => {
      const b = bundle();
      if (b === undefined) {
        throw new AppError('NOT_FOUND', 'The widget is not built: run npm run build');
      }
      reply
        .header('content-type', 'text/javascript; charset=utf-8')
        .header('cache-control', CACHE_CONTROL)
        .header('etag', b.etag)
        .header('vary', 'accept-encoding')
        .header('x-content-type-options', 'nosniff')
        .header('cross-origin-resource-policy', 'cross-origin')
        .header('access-control-allow-origin', '*');
      const match = request.headers['if-none-match'];
      if (match !== undefined && match.split(',').some((tag) => tag.trim() === b.etag)) {
        return reply.code(304).send();
      }
      if (chooseCompression(request.headers['accept-encoding'], ['gzip']) === 'gzip') {
        return reply.header('content-encoding', 'gzip').send(b.gzip);
      }
      return reply.send(b.plain);
    },
  );

  app.get(
    '/widget/demo',
    {
      schema: { hide: true, querystring: DemoQuery },
      helmet: {
        contentSecurityPolicy: {
          directives: {
            defaultSrc: ["'self'"],
            scriptSrc: ["'self'", ...CAPTCHA_ORIGINS],
            frameSrc: CAPTCHA_ORIGINS,
            connectSrc: ["'self'", ...CAPTCHA_ORIGINS],
            styleSrc: ["'self'", "'unsafe-inline'", ...CAPTCHA_ORIGINS],
            imgSrc: ["'self'", 'data:'],
          },
        },
      },
    },
    async (request, reply) =>
      reply
        .header('content-type', 'text/html; charset=utf-8')
        .send(demoPage(request.query, `${request.protocol}://${request.host}`)),
  );
}
