// Requests shown as curl commands a developer can paste into a shell.

/** The text in single quotes for a POSIX shell. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * A curl command for an Engagement API request. The key is left as $API_KEY: the console never
 * has it, and a copied command should not carry one.
 */
export function curlCommand(opts: {
  method: string;
  url: string;
  body?: unknown;
  headers?: Record<string, string>;
}): string {
  const absolute = new URL(opts.url, window.location.origin).toString();
  const parts = ['curl', '-sS'];
  if (opts.method !== 'GET') parts.push('-X', opts.method);
  parts.push(shellQuote(absolute), '-H', '"x-api-key: $API_KEY"');
  for (const [name, value] of Object.entries(opts.headers ?? {})) {
    parts.push('-H', shellQuote(`${name}: ${value}`));
  }
  if (opts.body !== undefined && opts.body !== null) {
    parts.push('-H', shellQuote('content-type: application/json'));
    parts.push('--data', shellQuote(JSON.stringify(opts.body)));
  }
  return parts.join(' ');
}
