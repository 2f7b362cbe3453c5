/** Unit tests (dense logic) and e2e tests (the booted app over HTTP/GraphQL on real PostgreSQL). */
// Transpile only (no type-check per file): tsc checks types in `npm run typecheck` and the build.
const tsJest = ['ts-jest', { tsconfig: '<rootDir>/tsconfig.jest.json', diagnostics: false }];

module.exports = {
  transform: { '^.+\\.ts$': tsJest },
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  maxWorkers: 2,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  testTimeout: 60000,
  projects: [
    {
      displayName: 'unit',
      transform: { '^.+\\.ts$': tsJest },
      testEnvironment: 'node',
      testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/bench/**/*.spec.ts'],
    },
    {
      displayName: 'e2e',
      transform: { '^.+\\.ts$': tsJest },
      testEnvironment: 'node',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts', '<rootDir>/src/**/*.e2e-spec.ts', '<rootDir>/src/**/*.int-spec.ts'],
      setupFiles: ['reflect-metadata'],
    },
  ],
};
