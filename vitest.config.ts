import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // graphql 16 ships both index.mjs ("module") and index.js ("main") and no "exports" map. Vite's
    // resolver picks index.mjs for our sources while Yoga, graphql-ws and @graphql-tools (loaded by
    // Node, as in production) get index.js: two GraphQLError classes, so `instanceof GraphQLError`
    // fails and every mapped error is masked. Resolve our imports the way Node (and tsx) does.
    alias: [{ find: /^graphql$/, replacement: fileURLToPath(new URL('./node_modules/graphql/index.js', import.meta.url)) }],
  },
  test: {
    include: ['test/**/*.test.ts', 'plugins/**/*.test.ts'],
    exclude: ['test/scale/**', 'node_modules/**'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
