import http from 'node:http';

// Keep-alive, like fetch, so a probe every 10 ms does not open a connection each time.
const agent = new http.Agent({ keepAlive: true });

/**
 * One HTTP request that may take as long as `timeoutMs` (fetch gives up waiting for response
 * headers after 300 s, and a stalled API or a purge of a million callbacks can take longer). It
 * also costs the load generator less CPU than fetch, which shares the cores with the service.
 */
export function request(
  method: 'GET' | 'POST',
  url: string,
  headers: Record<string, string>,
  timeoutMs: number,
  body?: string,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', reject);
    });
    req.on('timeout', () =>
      req.destroy(new Error(`${method} ${url}: no answer in ${timeoutMs} ms`)),
    );
    req.on('error', reject);
    req.end(body);
  });
}
