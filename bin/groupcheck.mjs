#!/usr/bin/env node
// The groupcheck command: runs the TypeScript CLI through tsx's loader (tsx is a dependency).
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
