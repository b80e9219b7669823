import { defineConfig } from 'vitest/config';
import base from './vitest.config.ts';

/**
 * The scale-out suite (issue 6 §6): needs Redis at 127.0.0.1:6379 and PostgreSQL at 127.0.0.1:5432,
 * so `npm test` leaves it out and `npm run test:scale` runs it alone. Everything else (the graphql
 * alias, pool, timeouts) is the main config's.
 */
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ['test/scale/**/*.test.ts'],
    exclude: ['node_modules/**'],
  },
});
