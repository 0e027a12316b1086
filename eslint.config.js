import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/dist-types/**',
      '**/out/**',
      'origin/src/db/generated/**',
      'test-artifacts/**',
      '**/.scratch/**',
      // Inputs of the layer-rules test: they break the import rules on purpose and are in no tsconfig.
      'scripts/layer-rules/fixture/**',
    ],
  },
  js.configs.recommended,
  // Type-aware rules (floating and misused promises, unsafe `any` flows, unbound methods): each file is linted
  // with the program of the tsconfig that includes it (project service): about 45 s of CPU for the whole repo, against 6 s without types.
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        Buffer: 'readonly',
        fetch: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
      },
      parserOptions: {
        projectService: {
          // TypeScript tooling files that no tsconfig includes (build configs, scripts) get a default program.
          // Keep this list short: each file costs a program of its own.
          allowDefaultProject: ['origin/*.config.ts', 'origin/prisma/tools/*.config.ts', 'origin/scripts/*.ts', 'studio/*.config.ts', 'scripts/*/*.ts'],
          defaultProject: 'tsconfig.base.json',
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-empty': ['error', { allowEmptyCatch: true }],
      '@typescript-eslint/no-floating-promises': [
        'error',
        // node:test runs and reports these itself; awaiting them would serialise the file's tests.
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite'] }] },
      ],
    },
  },
  // Plain JavaScript (scripts, the CLI shim, this file) is in no tsconfig: syntax rules only.
  { files: ['**/*.js', '**/*.mjs', '**/*.cjs'], ...tseslint.configs.disableTypeChecked },
  {
    // CommonJS tool configs (.dependency-cruiser.cjs).
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', __dirname: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.tsx', 'origin/web/**/*.ts', 'studio/src/renderer/**/*.ts', 'shared/src/renderer/**/*.ts', 'shared/src/player/**/*.ts'],
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'warn' },
  },
  {
    // Tests read JSON answers as `any` on purpose (the assertions are the type check), so the
    // unsafe-any rules, which guard production code, stay off here.
    files: ['**/*.test.ts', '**/test-support/**', '**/testing/**', 'bench/**'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
);
