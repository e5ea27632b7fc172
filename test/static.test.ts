import t from 'tap';
import { spawnSync } from 'node:child_process';

// Static checks run with the tests: tsx runs TypeScript without type-checking it, so a type
// error would otherwise reach CI green.
const ROOT = new URL('..', import.meta.url).pathname;

function run(cmd: string, args: string[]) {
  const r = spawnSync(cmd, args, {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
  });
  return { code: r.status, output: `${r.stdout}${r.stderr}`.slice(-4000) };
}

t.test('every package type-checks under strict TypeScript', async (t) => {
  const turbo = run('node_modules/.bin/turbo', ['run', 'typecheck', '--output-logs=errors-only']);
  t.equal(turbo.code, 0, turbo.output);
  const root = run('node_modules/.bin/tsc', ['-p', 'tsconfig.json']);
  t.equal(root.code, 0, root.output);
});

t.test('the tree passes the one lint setup', async (t) => {
  const lint = run('node_modules/.bin/eslint', ['.']);
  t.equal(lint.code, 0, lint.output);
});
