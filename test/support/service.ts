import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { waitUntil } from './wait.js';

export const dist = (app: string, file = 'main.js'): string =>
  fileURLToPath(new URL(`../../apps/${app}/dist/${file}`, import.meta.url));

/** One of the platform's processes, started from the build output exactly as operators run it. */
export class ServiceProcess {
  stdout = '';
  stderr = '';
  exitCode: number | null = null;
  private constructor(
    readonly name: string,
    readonly child: ChildProcessWithoutNullStreams,
  ) {
    child.stdout.on('data', (d: Buffer) => (this.stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (this.stderr += d.toString()));
    child.on('exit', (code, signal) => (this.exitCode = code ?? (signal === null ? -1 : 128)));
  }

  /** Starts `script` and waits until its stdout matches `ready`. */
  static async start(
    name: string,
    script: string,
    env: Record<string, string>,
    ready: RegExp,
    timeoutMs = 30_000,
  ): Promise<ServiceProcess> {
    const child = spawn(process.execPath, [script], {
      env: { PATH: process.env.PATH ?? '', BEACON_HOST: '127.0.0.1', BEACON_LOG_LEVEL: 'warn', ...env },
    });
    const p = new ServiceProcess(name, child);
    await waitUntil(
      () => ready.test(p.stdout) || p.exitCode !== null,
      timeoutMs,
      () => `${name} not ready:\n${p.stdout}\n${p.stderr}`,
    );
    if (p.exitCode !== null) throw new Error(`${name} exited ${p.exitCode}:\n${p.stdout}\n${p.stderr}`);
    return p;
  }

  match(re: RegExp): string | undefined {
    return re.exec(this.stdout)?.[1];
  }

  /** kill -9: no cleanup, no goodbye; what a crash looks like to the rest of the cluster. */
  async kill9(): Promise<void> {
    if (this.exitCode === null) this.child.kill('SIGKILL');
    await waitUntil(
      () => this.exitCode !== null,
      10_000,
      () => `${this.name} did not die`,
    );
  }

  async stop(): Promise<number> {
    if (this.exitCode === null) this.child.kill('SIGTERM');
    await waitUntil(
      () => this.exitCode !== null,
      15_000,
      () => `${this.name} did not exit`,
    );
    return this.exitCode as number;
  }
}
