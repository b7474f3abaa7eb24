import { useEffect, useSyncExternalStore } from 'react';

// The console's place lives in the URL (path = tab and section, query = filters and the open
// record), so a reload restores the view and a link can be shared. The server answers every
// non-API path with the console.

const CHANGE = 'oc:navigate';

function subscribe(onChange: () => void): () => void {
  window.addEventListener('popstate', onChange);
  window.addEventListener(CHANGE, onChange);
  return () => {
    window.removeEventListener('popstate', onChange);
    window.removeEventListener(CHANGE, onChange);
  };
}

/** Where the console is: path segments ("developer", "errors") and query parameters. */
export interface Route {
  segments: string[];
  params: URLSearchParams;
}

function parse(href: string): Route {
  const url = new URL(href);
  return {
    segments: url.pathname
      .split('/')
      .filter((s) => s !== '')
      .map(decodeURIComponent),
    params: url.searchParams,
  };
}

const snapshot = () => window.location.href;

/** The current route; re-renders on back/forward and on navigate(). */
export function useRoute(): Route {
  const href = useSyncExternalStore(subscribe, snapshot);
  return parse(href);
}

type Params = Record<string, string | undefined>;

function hrefOf(segments: string[], params: Params | URLSearchParams): string {
  const q = new URLSearchParams();
  const entries =
    params instanceof URLSearchParams ? [...params.entries()] : Object.entries(params);
  for (const [k, v] of entries) if (v !== undefined && v !== '') q.set(k, v);
  const text = q.toString();
  return `/${segments.map(encodeURIComponent).join('/')}${text === '' ? '' : `?${text}`}`;
}

/** Goes to a place; `replace` for changes not worth a Back step (e.g. defaults filled in). */
export function navigate(segments: string[], params: Params = {}, replace = false): void {
  const href = hrefOf(segments, params);
  if (href === `${window.location.pathname}${window.location.search}`) return;
  if (replace) window.history.replaceState(null, '', href);
  else window.history.pushState(null, '', href);
  window.dispatchEvent(new Event(CHANGE));
}

/** Changes some query parameters of the current place, keeping the rest. */
export function setParams(update: Params, replace = false): void {
  const route = parse(window.location.href);
  const next: Params = Object.fromEntries(route.params.entries());
  Object.assign(next, update);
  navigate(route.segments, next, replace);
}

/** Sets the page title ("Errors · Developer · OpenCallback") while mounted. */
export function useTitle(...parts: (string | undefined)[]): void {
  const title = [
    ...parts.filter((p): p is string => p !== undefined && p !== ''),
    'OpenCallback',
  ].join(' · ');
  useEffect(() => {
    document.title = title;
  }, [title]);
}
