// ESLint, run by `npm test` (`npm run lint`, in pretest beside format:check). Prettier owns layout; this owns
// mistakes. A rule that does not fit the codebase is turned off here with the reason, not disabled line by line.
// Not type-aware: typescript-eslint's typed rules took ~90 s for the tree here, longer than the rest of the checks.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'test-artifacts/', '.scratch/', '.bench-cache/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // Node everywhere but the renderer: main/, test/, bench/, bin/, plugins/ (plain JavaScript).
    files: ['**/*.{js,mjs,cjs,ts,cts,mts}'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: reactHooks.configs.recommended.rules,
  },
  {
    rules: {
      // Lines Prettier cannot wrap (long strings, comments, SQL) still have to fit; URLs may run over.
      'max-len': ['error', { code: 160, ignoreUrls: true }],
      // A leading underscore marks a value left unused on purpose: a field dropped by destructuring, a loop that only counts.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
      // `const service = this` is how an object literal's getters, or an iterator object, reach the class that made them.
      '@typescript-eslint/no-this-alias': 'off',
    },
  },
  {
    files: ['test/**'],
    rules: {
      // Tests read other tools' loose JSON and the page's globals inside page.evaluate; `any` is the honest type there.
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
);
