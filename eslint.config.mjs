// @ts-check
import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import reactHooks from 'eslint-plugin-react-hooks'
import globals from 'globals'

/** Shared files the sandboxed preload may bundle: they import nothing at run time but each other. */
const ZOD_FREE_SHARED = ['api', 'events', 'media']

/** Process boundaries are folders; these rules keep main, preload and renderer from importing each other. */
const layer = (name, forbidden) => ({
  files: [`src/${name}/**/*.{ts,tsx}`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: forbidden.map((f) => ({
          group: [`**/${f}/**`, `**/${f}`],
          message: `src/${name} must not import from src/${f}: share code through src/shared.`
        }))
      }
    ]
  }
})

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', 'resources/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }]
    }
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'warn'
    }
  },
  layer('main', ['renderer', 'preload']),
  layer('preload', ['main', 'renderer', 'cli']),
  layer('renderer', ['main', 'preload', 'cli']),
  layer('shared', ['main', 'preload', 'renderer', 'cli']),
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['electron', 'fs', 'path', 'child_process', 'better-sqlite3'].map((name) => ({
            name,
            message: 'The renderer never touches Node: go through the StudioApi.'
          })),
          patterns: [
            { group: ['node:*'], message: 'The renderer never touches Node: go through the StudioApi.' },
            { group: ['**/main/**', '**/preload/**', '**/cli/**'], message: 'Share code through src/shared.' }
          ]
        }
      ]
    }
  },
  // The sandboxed preload can require only `electron`: it may import electron and the shared files that
  // import nothing at run time, and those files may import only each other (types from anywhere).
  {
    files: ['src/preload/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: `^(?!(electron|\\.\\./shared/(${ZOD_FREE_SHARED.join('|')}))$)`,
              message: 'The sandboxed preload may import only electron and zod-free shared files (events, api, media).'
            }
          ]
        }
      ]
    }
  },
  {
    files: ZOD_FREE_SHARED.map((f) => `src/shared/${f}.ts`),
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: `^(?!\\./(${ZOD_FREE_SHARED.join('|')})$)`,
              allowTypeImports: true,
              message: 'The preload bundles this file: import values only from the other zod-free shared files.'
            },
            {
              group: ['**/main/**', '**/preload/**', '**/renderer/**', '**/cli/**'],
              message: 'Shared code imports only src/shared.'
            }
          ]
        }
      ]
    }
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' }
  }
)
