// ESLint flat config: typescript-eslint's type-checked rules over everything TypeScript,
// Prettier owns formatting (eslint-config-prettier turns off the rules it would fight).
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Product code: readable lines, short functions. Tests and benchmarks may hold long tables. */
const PRODUCT = ['scheduler/**/*.ts', 'regions/**/*.ts', 'db/**/*.ts', 'enforcer/**/*.ts'];
const TESTS = ['**/*.test.ts', 'test/**/*.ts', 'bench/**/*.ts'];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'reports/', '.stryker-tmp/', 'bpf/build/', 'db/migrations/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['*.mjs', 'bin/*.js', 'drizzle.config.ts'] },
        tsconfigRootDir: import.meta.dirname,
      },
      globals: { ...globals.node },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
    },
  },
  { files: ['**/*.mjs', 'bin/*.js'], ...tseslint.configs.disableTypeChecked },
  prettier,
  // After Prettier's config, which turns max-len off: Prettier wraps code, this catches what it cannot.
  {
    files: PRODUCT,
    ignores: TESTS,
    rules: {
      'max-len': ['error', { code: 120, ignoreUrls: true, ignoreRegExpLiterals: true }],
      'max-lines-per-function': ['error', { max: 80, skipBlankLines: true, skipComments: true }],
    },
  },
);
