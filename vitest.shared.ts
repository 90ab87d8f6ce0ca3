import { fileURLToPath } from 'node:url';

const lib = (name: string): string => fileURLToPath(new URL(`./libs/${name}/src/index.ts`, import.meta.url));

/** Tests run against the libs' sources, through their entry points, exactly as the apps import them. */
export const aliases = Object.fromEntries(
  [
    'admin',
    'admin-api',
    'contracts',
    'protocol',
    'client',
    'metrics',
    'ops',
    'routing',
    'cluster',
    'gateway',
    'persistence',
    'push-api',
    'topic-service',
    'stats',
  ].map((n) => [`@beacon/${n}`, lib(n)]),
);
