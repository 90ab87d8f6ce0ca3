import { ConsoleLogger, type LogLevel } from '@nestjs/common';

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

/** Nest's start-up narration (module init, every mapped route): useful when debugging, noise otherwise. */
const BOOT_CONTEXTS = new Set([
  'NestFactory',
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestApplication',
  'NestMicroservice',
]);

/**
 * The logger every app uses: Nest's console logger at BEACON_LOG_LEVEL, with Nest's start-up lines
 * shown only at `debug`, and optionally everything on stderr (for processes whose stdout is a
 * machine-read "listening" line).
 */
export class BeaconLogger extends ConsoleLogger {
  private readonly quietBoot: boolean;

  constructor(
    level: BeaconLogLevel,
    private readonly stderrOnly = false,
  ) {
    super({ logLevels: LEVELS[level] });
    this.quietBoot = level !== 'debug';
  }

  override log(message: unknown, ...rest: unknown[]): void {
    const context = rest.at(-1);
    if (this.quietBoot && typeof context === 'string' && BOOT_CONTEXTS.has(context)) return;
    super.log(message, ...(rest as [string?]));
  }

  protected override printMessages(
    messages: unknown[],
    context?: string,
    logLevel?: LogLevel,
    stream?: 'stdout' | 'stderr',
    errorStack?: unknown,
  ): void {
    super.printMessages(messages, context, logLevel, this.stderrOnly ? 'stderr' : stream, errorStack);
  }
}
