import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { waitUntil } from './wait.js';

export const MAIN_JS = fileURLToPath(new URL('../../apps/beacon/dist/main.js', import.meta.url));

/** A Beacon started as a real OS process from the build output, as `npm start` runs it. */
export class BeaconProcess {
  stdout = '';
  stderr = '';
  exitCode: number | null = null;
  private constructor(readonly child: ChildProcessWithoutNullStreams) {
    child.stdout.on('data', (d: Buffer) => (this.stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (this.stderr += d.toString()));
    child.on('exit', (code, signal) => (this.exitCode = code ?? (signal === null ? -1 : 128)));
  }

  /** `env` is added to a minimal environment; a variable set to undefined is left out (its default applies). */
  static async start(env: Record<string, string | undefined>, timeoutMs = 30_000): Promise<BeaconProcess> {
    const merged: Record<string, string | undefined> = {
      PATH: process.env.PATH ?? '',
      BEACON_HOST: '127.0.0.1',
      BEACON_PORT: '0',
      BEACON_GRPC_PORT: 'off',
      ...env,
    };
    const child = spawn(process.execPath, [MAIN_JS], {
      env: Object.fromEntries(Object.entries(merged).filter(([, v]) => v !== undefined)) as Record<
        string,
        string
      >,
    });
    const p = new BeaconProcess(child);
    await waitUntil(
      () => p.url !== null || p.exitCode !== null,
      timeoutMs,
      () => `no listening line:\n${p.stdout}\n${p.stderr}`,
    );
    if (p.url === null) throw new Error(`beacon exited ${p.exitCode}:\n${p.stdout}\n${p.stderr}`);
    return p;
  }

  get url(): string | null {
    return /listening on (http:\/\/[\d.]+:\d+)/.exec(this.stdout)?.[1] ?? null;
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number> {
    if (this.exitCode === null) this.child.kill(signal);
    await waitUntil(
      () => this.exitCode !== null,
      15_000,
      () => 'process did not exit',
    );
    return this.exitCode as number;
  }
}
