// ESLint flat config: typescript-eslint type-checked rules, Prettier for formatting,
// and the dependency rules of docs/architecture.md enforced per lib.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import globals from 'globals';

const NO_IO_NO_NEST = {
  patterns: [
    { group: ['@nestjs/*'], message: 'hot-path libs know nothing of Nest' },
    { group: ['node:net', 'node:fs', 'node:fs/*', 'net', 'fs', 'fs/*'], message: 'hot-path libs do no I/O' },
    {
      group: ['**/apps/**', '@nicscope/storage', '@nicscope/pcap', '@nicscope/ovs', '@nicscope/netdev'],
      message: 'libs never depend on apps or I/O libs',
    },
  ],
};

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'dist/**',
      'data/**',
      '**/build/**',
      'coverage/**',
      'bench/out/**',
      'dashboards/generated/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['*.mjs', 'scripts/*.mjs', 'bin/*.js'] },
        tsconfigRootDir: import.meta.dirname,
      },
      globals: { ...globals.node },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false },
      ],
      'no-console': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  { files: ['**/*.js', '**/*.cjs'], rules: { '@typescript-eslint/no-require-imports': 'off' } },
  {
    // Nest injects by emitted type metadata: an `import type` of an injected class would break DI.
    files: ['apps/**/*.ts'],
    rules: { '@typescript-eslint/consistent-type-imports': 'off' },
  },
  {
    files: ['libs/packet/src/**/*.ts', 'libs/flow/src/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', NO_IO_NO_NEST] },
  },
  {
    files: ['libs/*/src/**/*.ts'],
    ignores: ['libs/packet/src/**', 'libs/flow/src/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/apps/**'], message: 'libs never depend on apps' }] },
      ],
    },
  },
  {
    files: ['libs/contracts/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@nicscope/*', '@nestjs/*', 'node:*'], message: 'contracts depend only on the schema library' },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.e2e-spec.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
    },
  },
  prettier,
);
