// ESLint 9 flat config on Optimizely's own presets; Prettier owns layout, so the preset's
// layout rules that disagree with it are switched off here.
import node from '@zaiusinc/eslint-config-presets/node.mjs';
import vitest from '@zaiusinc/eslint-config-presets/vitest.mjs';
import tseslint from 'typescript-eslint';

export default [
  { ignores: ['dist/**', '.build/**', 'node_modules/**', 'coverage/**', 'eslint.config.mjs'] },
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
  // Plain Node scripts (build, test runner) are not in the TypeScript program.
  { files: ['**/*.mjs'], ...tseslint.configs.disableTypeChecked },
  // An error family reads best in one file (see shared/style.md, "Errors and messages").
  { files: ['**/errors.ts', 'dev/app-sdk/**', 'test/**'], rules: { 'max-classes-per-file': 'off' } },
  { files: ['**/*.test.ts'], rules: { '@typescript-eslint/unbound-method': 'off' } },
];
