import t from 'tap';
import { readFileSync } from 'node:fs';
import { allErrorCodes, errorSpec } from '../src/index.js';

const doc = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');

/** Rows of the table: | `code` | status | meaning | (cells may be padded by the formatter). */
function documented(): Map<string, number> {
  const rows = new Map<string, number>();
  for (const m of doc.matchAll(/^\|\s*`([a-z0-9_]+)`\s*\|\s*(\d{3})\s*\|/gm))
    rows.set(m[1] as string, Number(m[2]));
  return rows;
}

t.test('docs/errors.md lists exactly the codes the code defines, with their statuses', async (t) => {
  const rows = documented();
  t.same([...rows.keys()].sort(), allErrorCodes(), 'same codes');
  for (const code of allErrorCodes()) t.equal(rows.get(code), errorSpec(code)?.status, `${code} status`);
});
