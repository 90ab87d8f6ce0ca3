#!/usr/bin/env node
// Every package a workspace's source imports must be declared in that workspace's package.json
// "dependencies": hoisting hides a missing one in development, and a production install
// (`npm prune --omit=dev`, the Docker image) then fails at start. Spec and test files are exempt (and the
// dashboard's test support in src/test/). TypeScript and TSX (the dashboard) are both checked.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const builtins = new Set(builtinModules);
const problems = [];

function files(dir) {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) return n === 'generated' || n === 'test' ? [] : files(p);
    return /\.tsx?$/.test(n) && !/\.spec\.tsx?$/.test(n) ? [p] : [];
  });
}

for (const group of ['libs', 'apps']) {
  for (const name of readdirSync(join(root, group))) {
    const dir = join(root, group, name);
    let pkg;
    try {
      pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    } catch {
      continue;
    }
    const declared = new Set(Object.keys(pkg.dependencies ?? {}));
    let src;
    try {
      src = files(join(dir, 'src'));
    } catch {
      continue;
    }
    for (const file of src) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(
        /^\s*(?:import|export)\s(?:type\s)?[^'"]*?from\s+'([^'.][^']*)'|^\s*import\s+'([^'.][^']*)'/gm,
      )) {
        if (/^\s*(?:import|export)\s+type\s/.test(m[0])) continue; // erased at compile time
        const spec = m[1] ?? m[2];
        if (spec.startsWith('node:')) continue;
        const pkgName = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
        if (builtins.has(pkgName) || declared.has(pkgName)) continue;
        problems.push(
          `${relative(root, file)} imports ${pkgName}, not in ${group}/${name}/package.json dependencies`,
        );
      }
    }
  }
}

if (problems.length > 0) {
  console.error([...new Set(problems)].join('\n'));
  process.exit(1);
}
console.log('every imported package is declared by its workspace');
