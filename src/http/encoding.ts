/** A compressed content coding this service answers in. */
export type Compression = 'br' | 'gzip';

/** The weight (q-value) of each coding an `accept-encoding` header names. */
function weights(header: string): Map<string, number> {
  const named = new Map<string, number>();
  for (const part of header.split(',')) {
    const [name = '', ...params] = part.split(';');
    const coding = name.trim().toLowerCase();
    if (coding === '') continue;
    let q = 1;
    for (const param of params) {
      const [key, value] = param.split('=');
      if (key?.trim().toLowerCase() === 'q') q = Number(value?.trim());
    }
    named.set(coding, Number.isFinite(q) ? Math.min(Math.max(q, 0), 1) : 0);
  }
  return named;
}

/**
 * The coding to answer in, among `offered` (ours in order of preference), as the client's
 * `accept-encoding` weighs them (RFC 9110 §12.5.3): the highest q above 0 wins, `*` stands for
 * codings it does not name, and ties go to ours in order. Identity (undefined) when nothing
 * offered is acceptable, or when the client names identity above everything offered.
 */
export function chooseCompression(
  header: string | string[] | undefined,
  offered: readonly Compression[],
): Compression | undefined {
  if (typeof header !== 'string' || header === '') return undefined;
  const named = weights(header);
  let best: Compression | undefined;
  let bestQ = 0;
  for (const coding of offered) {
    const q = named.get(coding) ?? named.get('*') ?? 0;
    if (q > bestQ) {
      best = coding;
      bestQ = q;
    }
  }
  const identity = named.get('identity');
  return identity !== undefined && identity > bestQ ? undefined : best;
}
