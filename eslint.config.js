// Lint (part of `npm test`): eslint's and typescript-eslint's recommended rules, on top of the
// compiler's strictest settings. Generated code is left out; it is checked for freshness instead.
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['node_modules/', '.data/', '**/generated/', 'coverage/', 'ui/dist/', 'test/artifacts/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly', fetch: 'readonly', AbortSignal: 'readonly', URLSearchParams: 'readonly', structuredClone: 'readonly', performance: 'readonly' } },
    rules: {
      // `any` appears where a library's types stop (Apollo's request context, test payloads)
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
    },
  },
)
