#!/usr/bin/env node
// `npm run build`: compiles every process, the CLI and the migration runner to JavaScript
// (`<package>/dist/*.mjs`, scripts/lib/build.mjs), whatever the stamp says. The image runs these;
// `npm start` and the tests build by themselves when a source changed.
import { buildAll } from './lib/build.mjs';

await buildAll({ force: true, log: (msg) => process.stdout.write(`[propusk] ${msg}\n`) });
