import type { ReactNode } from 'react';
import { ApiError, messageOf } from '../api.js';

/** A status line: an error (announced to screen readers), a success or a plain note. */
export function Notice({ kind, children }: { kind: 'error' | 'ok' | 'info'; children: ReactNode }) {
  return (
    <p className={`notice ${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {children}
    </p>
  );
}

/** The error of a load or action, with its correlation ID for support. */
export function ErrorNotice({ error }: { error: unknown }) {
  if (error === undefined || error === null) return null;
  const corrId = error instanceof ApiError && error.corrId !== '' ? error.corrId : undefined;
  return (
    <Notice kind="error">
      {messageOf(error)}
      {corrId && <span className="muted"> · correlation ID {corrId}</span>}
    </Notice>
  );
}

/** Shown where the server does not offer a feature yet (a route a later release adds). */
export function Unavailable({ feature }: { feature: string }) {
  return (
    <div className="unavailable" role="status">
      <strong>{feature} is not available on this server yet.</strong>
      <p className="muted">
        This server version does not offer it; nothing is wrong with your setup.
      </p>
    </div>
  );
}

/** The error of a load, or the "not available" state when the route does not exist. */
export function LoadError({ error, feature }: { error: unknown; feature: string }) {
  if (error instanceof ApiError && error.missingRoute) return <Unavailable feature={feature} />;
  return <ErrorNotice error={error} />;
}
