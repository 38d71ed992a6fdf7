import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'scheduler/**/*.test.ts',
      'regions/**/*.test.ts',
      'db/**/*.test.ts',
      'enforcer/**/*.test.ts',
      'test/**/*.test.ts',
    ],
    // The CLI suites spawn the built binary; give them room on a 2-core machine.
    testTimeout: 60_000,
  },
});
