// @ts-check
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      '**/generated/**',
      '**/src/gen/**',
      'data/**',
      'test/browser/artifacts/**',
    ],
  },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'off',
      'no-console': 'off',
      eqeqeq: ['error', 'always'],
    },
  },
  {
    files: ['libs/*/src/**/*.ts', 'apps/*/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['@beacon/*/*'], message: 'Import a lib through its entry point only.' }] },
      ],
    },
  },
  // The dashboard (React): the rules of hooks and the React Compiler's checks, as errors.
  {
    files: ['apps/dashboard/src/**/*.{ts,tsx}', 'apps/chat-demo/src/**/*.{ts,tsx}'],
    ...reactHooks.configs.flat['recommended-latest'],
  },
  {
    files: ['apps/dashboard/src/**/*.{ts,tsx}', 'apps/chat-demo/src/**/*.{ts,tsx}'],
    rules: {
      'react-hooks/exhaustive-deps': 'error',
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@beacon/*/*'], message: 'Import a lib through its entry point only.' },
            { group: ['node:*'], message: 'The dashboard runs in the browser: no Node modules.' },
          ],
          paths: [
            ...[
              '@beacon/persistence',
              '@beacon/gateway',
              '@beacon/push-api',
              '@beacon/cluster',
              '@beacon/contracts',
            ].map((name) => ({
              name,
              message: 'The dashboard talks to the server only through @beacon/admin-api.',
            })),
          ],
        },
      ],
    },
  },
);
