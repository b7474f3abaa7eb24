/**
 * The logger port: what the store, services and jobs log through, injected like any dependency.
 * pino's logger satisfies it; tests pass `silentLogger` or a recorder.
 */
export interface Logger {
  error(context: Record<string, unknown>, message: string): void;
  warn(context: Record<string, unknown>, message: string): void;
  info(context: Record<string, unknown>, message: string): void;
  debug(context: Record<string, unknown>, message: string): void;
}

const ignore = () => undefined;

/** A logger that drops everything (the CLI's short commands, tests that do not look). */
export const silentLogger: Logger = { error: ignore, warn: ignore, info: ignore, debug: ignore };

/** An error as log context: its message and stack, not a thrown object pino cannot show. */
export const errorContext = (err: unknown): Record<string, unknown> =>
  err instanceof Error ? { err: { message: err.message, stack: err.stack } } : { err: String(err) };
