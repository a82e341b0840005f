#!/usr/bin/env node
// The `hub` command: runs the compiled CLI (npm run build first).
import '../dist/src/cli/hub.js';
