// ESLint for the whole tree (`npm run lint`, a step of `npm test`). Layout is Prettier's
// (.prettierrc.json, `npm run format:check`); this file checks code, not layout.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import { defineConfig, globalIgnores } from 'eslint/config';
import vue from 'eslint-plugin-vue';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  globalIgnores(['out/', 'dist/', 'release/', 'node_modules/', 'resources/', '.tmp/', 'bench/results/']),
  // Every rule is an error except max-lines (below): `npm run lint` allows only that many warnings.
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },

  js.configs.recommended,
  tseslint.configs.recommended,
  vue.configs['flat/recommended-error'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser } },
  },

  // Globals per folder: the core host, drivers, scripts and tests run in Node; the renderer in the browser;
  // common/ runs in both.
  {
    files: ['main/**', 'drivers/**', 'preload/**', 'bin/**', 'bench/**', 'tests/**', '*.{js,mjs,cjs,ts}'],
    languageOptions: { globals: globals.node },
  },
  { files: ['renderer/**'], languageOptions: { globals: globals.browser } },
  { files: ['common/**'], languageOptions: { globals: globals['shared-node-browser'] } },

  // Layout rules off: Prettier owns the layout.
  prettier,

  // Project rules (after eslint-config-prettier, which turns max-len off: with Prettier at 120 columns
  // only long strings, template literals, URLs and regular expressions can pass the limit).
  {
    rules: {
      // Every control character in a regular expression here is deliberate: the text-safety checks,
      // the printers and the PDF metadata strip or refuse control characters.
      'no-control-regex': 'off',
      // As `noUnusedParameters` in tsconfig: a leading `_` marks a parameter kept for its signature; a rest
      // sibling (`const { dropped: _d, ...rest } = x`) is how a property is left out of a copy.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', ignoreRestSiblings: true }],
      'max-len': [
        'error',
        {
          code: 120,
          ignoreStrings: true,
          ignoreTemplateLiterals: true,
          ignoreUrls: true,
          ignoreRegExpLiterals: true,
        },
      ],
    },
  },
  {
    // Production files stay readable: a file over 400 lines is a warning (split it when you next touch it).
    files: ['main/**', 'drivers/**', 'common/**', 'preload/**', 'renderer/src/**', 'bin/**'],
    // The message catalogues are one table of texts per language, not code to split.
    ignores: ['**/*.test.ts', '**/testing/**', 'renderer/src/locales/vi.ts', 'renderer/src/locales/en.ts'],
    rules: { 'max-lines': ['warn', { max: 400, skipBlankLines: true, skipComments: true }] },
  },
);
