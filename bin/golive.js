#!/usr/bin/env node
import { main } from '../dist/cli/main.js';

const code = await main(process.argv.slice(2));
// Exit once output is flushed: a connection still closing (a watch, a keep-alive socket) must not hold the CLI.
process.stdout.write('', () => process.exit(code));
