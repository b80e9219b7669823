#!/usr/bin/env node
// The `gatehouse` command. Gatehouse runs from its TypeScript sources (no build step), so the
// same loader also lets third-party plugins ship as plain `.ts` files.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
