import { ConfigError } from './config.js';

/**
 * SIGTERM or SIGINT runs `close` once, then exits 0 (1 if closing failed). Every app's main uses it, so
 * every process shuts down the same way.
 */
export function closeOnSignals(name: string, close: () => Promise<void>): void {
  let closing = false;
  const shutdown = (signal: string): void => {
    if (closing) return;
    closing = true;
    process.stderr.write(`${name}: ${signal}, closing\n`);
    close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

/** A start that failed: the configuration's message alone, anything else with its stack; exit 1. */
export function exitOnStartFailure(err: unknown): never {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
}
