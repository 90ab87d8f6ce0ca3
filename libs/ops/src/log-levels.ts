import type { LogLevel } from '@nestjs/common';

export type BeaconLogLevel = 'debug' | 'info' | 'warn' | 'error';

const LEVELS: Record<BeaconLogLevel, LogLevel[]> = {
  debug: ['fatal', 'error', 'warn', 'log', 'debug'],
  info: ['fatal', 'error', 'warn', 'log'],
  warn: ['fatal', 'error', 'warn'],
  error: ['fatal', 'error'],
};

/** Nest logger levels for a BEACON_LOG_LEVEL value. */
export function nestLogLevels(level: BeaconLogLevel): LogLevel[] {
  return LEVELS[level];
}
