#!/usr/bin/env node
// @beacon/client's size budget: the whole SDK bundled from its sources as one ES module (vite 8, its
// default minifier), gzipped, must stay within 6 KB. Also fails if anything but the SDK's own code (a
// runtime import of @beacon/protocol, say) ends up in the bundle.
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const BUDGET = 6 * 1024;
const entry = fileURLToPath(new URL('../libs/client/src/index.ts', import.meta.url));

const out = await build({
  configFile: false,
  logLevel: 'warn',
  build: {
    write: false,
    minify: true,
    target: 'es2022',
    // Not lib mode: vite leaves whitespace in ES libraries; an app build minifies as a user's bundler would.
    modulePreload: false,
    rolldownOptions: { input: entry, preserveEntrySignatures: 'strict', output: { format: 'es' } },
  },
});
const chunks = (Array.isArray(out) ? out : [out]).flatMap((o) => o.output).filter((c) => c.type === 'chunk');
const code = chunks.map((c) => c.code).join('\n');
const modules = chunks.flatMap((c) => Object.keys(c.modules));
const foreign = modules.filter((m) => !m.includes('/libs/client/src/'));
const min = Buffer.byteLength(code);
const gz = gzipSync(code, { level: 9 }).length;
console.log(
  `@beacon/client: ${min} bytes minified, ${gz} bytes min+gz (budget ${BUDGET}), ${modules.length} modules`,
);
if (foreign.length > 0) {
  console.error(`modules from outside libs/client/src in the bundle: ${foreign.join(', ')}`);
  process.exit(1);
}
if (gz > BUDGET) {
  console.error(`over budget by ${gz - BUDGET} bytes`);
  process.exit(1);
}
