import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['{core,workshop,datagen,checks,steps}/**/*.test.ts'],
          exclude: ['**/*.integration.test.ts', '**/node_modules/**'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['{core,workshop,datagen,checks,steps}/**/*.integration.test.ts'],
          // One local stack for the whole run, started before the first suite and stopped after the last.
          globalSetup: ['workshop/dev/testing/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // The suites share one stack on a two-core machine: run files one at a time.
          fileParallelism: false,
        },
      },
    ],
  },
});
