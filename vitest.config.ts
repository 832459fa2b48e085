import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    // Each file starts its own local servers on ephemeral ports; 2 cores on CI.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // JSON report: .ci/run computes its pass/fail line from it. Its second pass (DynamoDB Local) names its own
    // file: a --outputFile on the command line does not override the one given here.
    reporters: [
      'default',
      ['json', { outputFile: process.env.GAZETTE_VITEST_JSON ?? 'test-results/vitest.json' }],
    ],
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
