import { defineConfig } from 'vitest/config';

/**
 * One project per suite, so each can be run alone (`npm run test:unit`, `test:integration`, `test:e2e`,
 * `test:browser`, `test:faults`) and `npm test` runs them all. The README says which to run while working.
 */
const suite = (name: string, include: string[], exclude: string[] = [], isolate = true) => ({
  extends: true as const,
  test: { name, include, exclude, isolate },
});

export default defineConfig({
  test: {
    environment: 'node',
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    // the browser scripts, built once per run as `npm start` builds them: pages name their hashed files
    globalSetup: ['test/support/client-build-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      // The unit files share one module registry: importing zod, preact, pdfkit and the report model afresh for each
      // file took longer than their tests. A file that mocks a module resets the registry before its imports.
      suite('unit', ['test/unit/**/*.test.{ts,tsx}'], [], false),
      suite('integration', ['test/{integration,functions,workflow,infra}/**/*.test.{ts,tsx}']),
      suite('e2e', ['test/e2e/**/*.test.{ts,tsx}'], ['test/e2e/browser/**']),
      suite('browser', ['test/e2e/browser/**/*.test.{ts,tsx}']),
      suite('faults', ['test/faults/**/*.test.{ts,tsx}']),
    ],
  },
});
