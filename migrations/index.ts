import { Foundation1763856000000 } from './1763856000000-foundation';

/**
 * Every migration, in order. Listed explicitly (not globbed) so the app, the CLI and the tests
 * run exactly the same set whether from TypeScript or compiled JavaScript.
 */
export const MIGRATIONS = [Foundation1763856000000];
