// Lint: typescript-eslint's type-checked recommended rules, tuned below where they fight the code for no gain.
// Formatting is prettier's (its settings are in package.json), so no stylistic rule is enabled here.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'vcstore-demo/', 'test/bench/sqlite/', 'test/interop/go/', '*.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // Unused names are errors, except the `_` prefix that marks one kept on purpose.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Numbers and other primitives in messages are fine; objects printing as [object Object] are not.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      // One import per module (8 files imported one module twice).
      'no-duplicate-imports': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/no-non-null-assertion': 'error',
      // `async` without `await` is how a method that checks its arguments synchronously still only rejects.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // The writer is the only door: nothing outside the sandbox's writer session appends to, cuts or writes a
    // journal, so only src/store/session/ (and the journal's own files) import the writer, repair and restore.
    files: ['src/**/*.ts'],
    ignores: ['src/store/session/**', 'src/journal/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/session/journal-writer.ts', '**/journal/repair.ts', '**/journal/restore.ts'],
              message: 'only the writer session (src/store/session/) opens, repairs or writes a journal: go through it',
            },
          ],
        },
      ],
    },
  },
  {
    // Plain JavaScript preloads (test/bench/rss-probe.mjs) are outside the TypeScript project: no type information.
    files: ['**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { process: 'readonly' } },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // Tests read CLI and HTTP output as parsed JSON and assert on it; typing every such value adds nothing.
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      // The same for the decoder and fixture tests that hold arbitrary JSON values: `any` says just that.
      '@typescript-eslint/no-explicit-any': 'off',
      // A test that indexes what it just wrote knows the entry is there; a wrong guess fails the test.
      '@typescript-eslint/no-non-null-assertion': 'off',
      // node:test's `test()` and `describe()` return promises the runner awaits itself.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', name: ['test', 'it', 'describe', 'suite'], package: 'node:test' },
          ],
        },
      ],
    },
  },
);
