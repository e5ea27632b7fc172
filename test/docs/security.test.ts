import t from 'tap';
import { existsSync, readdirSync, readFileSync } from 'node:fs';

// docs/SECURITY.md says which test shows each defence: every cited file must exist and still
// hold every test name cited for it, so the document cannot drift from the tests.
const ROOT = new URL('../../', import.meta.url);
const DOC = readFileSync(new URL('docs/SECURITY.md', ROOT), 'utf8');

/** `path.test.ts` — "name", "name"; … in the "shown by" cells. */
function citations(): Array<{ file: string; name: string }> {
  const out: Array<{ file: string; name: string }> = [];
  for (const cell of DOC.split('\n').filter((l) => l.startsWith('|'))) {
    for (const part of cell.split(/;\s*/)) {
      const file = /`([\w./-]+\.test\.ts)`/.exec(part)?.[1];
      if (!file) continue;
      const names = part.slice(part.indexOf(file)).matchAll(/"((?:[^"\\]|\\.)+)"/g);
      for (const m of names) out.push({ file, name: (m[1] as string).replace(/\\"/g, '"') });
    }
  }
  return out;
}

t.test('every test docs/SECURITY.md cites exists', async (t) => {
  const cited = citations();
  t.ok(cited.length > 50, `${cited.length} citations`);
  for (const { file, name } of cited) {
    const path = new URL(file, ROOT);
    t.ok(existsSync(path), `${file} exists`);
    if (!existsSync(path)) continue;
    t.ok(readFileSync(path, 'utf8').includes(name), `${file} holds "${name}"`);
  }
});

t.test('the attack suite files are all cited', async (t) => {
  const attacks = readdirSync(new URL('test/e2e/attacks/', ROOT))
    .filter((f) => f.endsWith('.test.ts'))
    .map((f) => `test/e2e/attacks/${f}`);
  t.ok(attacks.length >= 10, `${attacks.length} attack files`);
  for (const file of [...attacks, 'test/e2e/serial/enumeration-timing.test.ts']) {
    t.ok(DOC.includes(`\`${file}\``), file);
  }
});
