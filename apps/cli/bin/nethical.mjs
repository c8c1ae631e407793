#!/usr/bin/env node
// `npx nethical …`: run the TypeScript CLI through tsx (no build step).
import { register } from 'tsx/esm/api';

register();
await import('../src/nethical.ts');
