import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist',
      'node_modules',
      'data',
      'coverage',
      'test-artifacts',
      '*.config.js',
      // Written by npm run client:generate.
      'packages/client/src/generated',
      'packages/*/dist',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-non-null-assertion': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/require-await': 'off',
    },
  },
  // The arrows of the layering (README "Architecture"): each folder says what it may not import.
  {
    files: ['src/http/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/store/**'], message: 'http goes through services/.' }] },
      ],
    },
  },
  {
    files: ['src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['../**'], message: 'domain/ is pure: it imports only domain/.' }] },
      ],
    },
  },
  // The request and response schemas are declared once, in http/schemas/: a use case takes its
  // input's and view's types from there (types only; nothing of http/ runs in the services).
  {
    files: ['src/services/**/*.ts', 'src/infra/**/*.ts', 'src/store/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '(^|/)http/(?!schemas/)',
              message: 'Only http/ may import http/.',
            },
            {
              regex: '(^|/)http/schemas/',
              allowTypeImports: true,
              message: 'Services import only the types of http/schemas/ (import type).',
            },
          ],
        },
      ],
    },
  },
  // Callback states are named through domain/callback-state.ts (STATE.QUEUED), so a typo does not
  // compile. Migrations keep their literals: they are history and must not follow a rename.
  // A Type.Literal argument is a wire value (cbOfferType's SCHEDULED), not a state.
  {
    files: ['src/**/*.ts'],
    ignores: ['src/domain/**', 'src/store/migrations/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector:
            "Literal[value=/^(SCHEDULED|QUEUED|ROUTING|PROCESSING|COMPLETED)$/]:not(CallExpression[callee.property.name='Literal'] > Literal)",
          message: 'Name callback states through STATE (src/domain/callback-state.ts).',
        },
      ],
    },
  },
  {
    files: ['web/**/*.tsx', 'web/**/*.ts', 'widget/**/*.tsx', 'widget/**/*.ts'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
    },
  },
  {
    files: ['scripts/**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
);
