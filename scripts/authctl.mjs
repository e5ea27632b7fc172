#!/usr/bin/env node
// `npm run authctl -- <command>`: the operator CLI (tools/authctl). Prepares dependencies and
// the Prisma client only when they changed, and quietly; runs the CLI from its bundle in this
// process (tools/authctl/scripts/launch.mjs says how, and why).
import { runAuthctl } from '../tools/authctl/scripts/launch.mjs';

await runAuthctl(process.argv.slice(2));
