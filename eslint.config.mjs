// ESLint 9 flat config on Optimizely's own presets; Prettier owns layout, so the preset's
// layout rules that disagree with it are switched off here.
import node from '@zaiusinc/eslint-config-presets/node.mjs';
import vitest from '@zaiusinc/eslint-config-presets/vitest.mjs';
import tseslint from 'typescript-eslint';

export default [
  {
    ignores: [
      'dist/**',
      '.build/**',
      'node_modules/**',
      'coverage/**',
      'eslint.config.mjs',
      '.dependency-cruiser.cjs',
    ],
  },
  ...node,
  ...vitest,
  {
    languageOptions: { parserOptions: { project: 'tsconfig.json', tsconfigRootDir: import.meta.dirname } },
    rules: {
      indent: 'off',
      'max-len': 'off',
      quotes: 'off',
      'space-before-function-paren': 'off',
      'arrow-body-style': 'off',
      '@stylistic/member-delimiter-style': 'off',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  // The SDK typing variant is checked in its own program (see its tsconfig.json).
  {
    files: ['test/types/destination-pr176/**'],
    languageOptions: { parserOptions: { project: 'test/types/destination-pr176/tsconfig.json' } },
  },
  // The local page's script (dev/ui/static) runs in the browser as it is, without a build or types.
  {
    files: ['dev/ui/static/**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      sourceType: 'script',
      parserOptions: { project: null },
      globals: Object.fromEntries(
        ['window', 'document', 'location', 'fetch', 'EventSource', 'URL', 'Blob', 'CSS', 'setTimeout'].map(
          (name) => [name, 'readonly'],
        ),
      ),
    },
  },
  // The layering, checked rather than hoped for: no import cycles anywhere; src/lib never touches
  // the SDK's globals (store, logger, clock and client come in as arguments) nor the entry points;
  // src never imports the local tools in dev/. These rules answer in the editor; import/no-cycle
  // skips `import type`, so `npm run layers` (.dependency-cruiser.cjs) is the check that counts.
  // `npm run lint` switches import/no-cycle off: layers finds every cycle it finds, and more, while
  // the rule costs a fifth of the lint's CPU.
  {
    files: ['**/*.ts'],
    rules: {
      'import/no-cycle': ['error', { ignoreExternal: true }],
      'import/no-restricted-paths': [
        'error',
        {
          zones: [
            {
              target: './src',
              from: './dev',
              // The SDK stand-in is reached only by the package name, when the real SDK is absent.
              except: ['./app-sdk'],
              message: 'src/ is what OCP runs; it never imports dev/.',
            },
            { target: './src', from: './test', message: 'src/ never imports the tests.' },
            {
              target: './src/lib',
              from: ['./src/destinations', './src/lifecycle'],
              message: 'src/lib is SDK-free: the entry points call it, never the reverse.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/lib/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@zaiusinc/app-sdk',
              message:
                'src/lib is SDK-free: take stores, logger and clock as arguments (src/lib/runtime-ports.ts).',
            },
          ],
        },
      ],
    },
  },
  // Plain Node scripts (build, test runner) are not in the TypeScript program.
  { files: ['**/*.mjs'], ...tseslint.configs.disableTypeChecked },
  // An error family reads best in one file (see shared/style.md, "Errors and messages").
  { files: ['**/errors.ts', 'dev/app-sdk/**', 'test/**'], rules: { 'max-classes-per-file': 'off' } },
  { files: ['**/*.test.ts'], rules: { '@typescript-eslint/unbound-method': 'off' } },
];
