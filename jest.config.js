/** Unit tests (dense logic) and e2e tests (the booted app over HTTP/GraphQL on real PostgreSQL). */
const swc = ['@swc/jest', { jsc: { parser: { syntax: 'typescript', decorators: true }, transform: { legacyDecorator: true, decoratorMetadata: true }, target: 'es2022', keepClassNames: true } }];

module.exports = {
  transform: { '^.+\\.ts$': swc },
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  maxWorkers: 2,
  testTimeout: 60000,
  projects: [
    {
      displayName: 'unit',
      transform: { '^.+\\.ts$': swc },
      testEnvironment: 'node',
      testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/bench/**/*.spec.ts'],
    },
    {
      displayName: 'e2e',
      transform: { '^.+\\.ts$': swc },
      testEnvironment: 'node',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts', '<rootDir>/src/**/*.e2e-spec.ts', '<rootDir>/src/**/*.int-spec.ts'],
      setupFiles: ['reflect-metadata'],
    },
  ],
};
