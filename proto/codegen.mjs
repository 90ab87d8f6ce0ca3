#!/usr/bin/env node
// Generates libs/contracts/src/gen from proto/ (`generate`), or checks the committed code is what the
// protos generate (`check`, exit 1 with a diff summary when stale). Runs buf with ts-proto; offline.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const target = join(root, 'libs/contracts/src/gen');
const mode = process.argv[2] ?? 'generate';

function generate(into) {
  const work = mkdtempSync(join(tmpdir(), 'beacon-proto-'));
  try {
    cpSync(join(root, 'proto'), join(work, 'proto'), { recursive: true });
    execFileSync('buf', ['generate', '--template', 'buf.gen.yaml', '-o', '.'], {
      cwd: join(work, 'proto'),
      stdio: 'inherit',
      env: { ...process.env, PATH: `${join(root, 'node_modules/.bin')}:${process.env.PATH}` },
    });
    rmSync(into, { recursive: true, force: true });
    cpSync(join(work, 'libs/contracts/src/gen'), into, { recursive: true });
    execFileSync(
      join(root, 'node_modules/.bin/prettier'),
      ['--write', '--log-level', 'warn', '--config', join(root, '.prettierrc.json'), into],
      {
        stdio: 'inherit',
      },
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function files(dir) {
  return readdirSync(dir).flatMap((n) =>
    statSync(join(dir, n)).isDirectory() ? files(join(dir, n)) : [join(dir, n)],
  );
}

if (mode === 'generate') {
  generate(target);
} else if (mode === 'check') {
  const fresh = mkdtempSync(join(tmpdir(), 'beacon-proto-check-'));
  try {
    generate(fresh);
    const a = new Map(files(fresh).map((f) => [relative(fresh, f), readFileSync(f, 'utf8')]));
    const b = new Map(files(target).map((f) => [relative(target, f), readFileSync(f, 'utf8')]));
    const stale = [...new Set([...a.keys(), ...b.keys()])].filter((k) => a.get(k) !== b.get(k));
    if (stale.length > 0) {
      console.error(`generated gRPC code is stale (run npm run proto:generate): ${stale.join(', ')}`);
      process.exit(1);
    }
    console.log('generated gRPC code is up to date');
  } finally {
    rmSync(fresh, { recursive: true, force: true });
  }
} else {
  console.error('usage: node proto/codegen.mjs generate|check');
  process.exit(2);
}
