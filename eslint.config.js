// Type-aware lint rules, plus the import zones that keep the architecture one-way (STYLE.md "Shape").
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const zone = (files, patterns, message) => ({
  files,
  rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: patterns.map((group) => ({ group: [group], message })) }] },
});

export default tseslint.config(
  { ignores: ['examples/**/golive.config.ts', 'dist/**', '.build/**', 'node_modules/**', 'golive-results/**', 'test-artifacts/**', 'examples/**/node_modules/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.js', 'bin/*.js', 'bench/*.js'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': ['error', {
        allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite'] }],
      }],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      'no-empty': ['error', { allowEmptyCatch: false }],
    },
  },
  zone(['src/analysis/**', 'src/model/**'], ['node:fs', 'node:net', 'node:http', 'node:child_process', 'node:worker_threads', '**/engine/engine.js', '**/platforms/**', '**/report/**', '**/drills/**'],
    'analysis/ and model/ are pure: no I/O, no engine, platform, drills or reporters.'),
  zone(['src/engine/**'], ['**/drills/**', '**/platforms/**', '**/report/**', '**/analysis/**', '**/config/**'],
    'engine/ knows nothing of drills, platforms, analysis, config or reports.'),
  zone(['src/report/**'], ['**/engine/**', '**/drills/**', '**/platforms/**', 'node:child_process'],
    'reporters read the result model only.'),
  zone(['src/drills/**'], ['**/platforms/local/**', '**/platforms/kubernetes/**'],
    'drills see a platform only through platforms/platform.ts.'),
  zone(['src/**'], ['@kubernetes/client-node'], 'only src/platforms/kubernetes/client.ts imports the Kubernetes client.'),
  { files: ['src/platforms/kubernetes/client.ts'], rules: { '@typescript-eslint/no-restricted-imports': 'off' } },
  { files: ['**/*.js', '**/*.mjs'], ...tseslint.configs.disableTypeChecked },
  {
    // The stand-in API server stores arbitrary Kubernetes JSON: typing every field would hide nothing.
    files: ['test/k8s/**', 'test/integration/k8s-*.test.ts', 'test/e2e/k8s-*.test.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off', '@typescript-eslint/no-unsafe-assignment': 'off', '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off', '@typescript-eslint/no-unsafe-call': 'off', '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  { files: ['report-template/*.js'], languageOptions: { globals: { document: 'readonly', uPlot: 'readonly' } } },
  { files: ['**/*.js', '**/*.mjs'], languageOptions: { globals: { process: 'readonly', console: 'readonly', setTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', URL: 'readonly', Buffer: 'readonly' } } },
);
