import t from 'tap';
import { readFileSync } from 'node:fs';
import { CHANNEL_SETTINGS, CORE_SETTINGS, OAUTH_SETTINGS } from '../../packages/kit/src/settings.js';
import { FEDERATION_SETTINGS } from '../../services/federation/src/settings.js';
import { IDENTITY_SETTINGS } from '../../services/identity/src/settings.js';
import { SERVICE_SETTINGS as NOTIFICATION_SETTINGS } from '../../services/notification/src/settings.js';
import { TOKEN_SETTINGS } from '../../services/token/src/settings.js';
import { VERIFICATION_SETTINGS } from '../../services/verification/src/settings.js';
import { GATEWAY_SETTINGS } from '../../gateway/src/settings.js';

// The README's configuration table is what operators read: every variable a process reads
// must be in it, and nothing that no process reads.
const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

function documented(): Set<string> {
  const section = README.split(/^## Configuration$/m)[1]?.split(/^## /m)[0] ?? '';
  const names = new Set<string>();
  for (const line of section.split('\n')) {
    if (!line.startsWith('| `')) continue;
    const first = line.split('|')[1] ?? '';
    for (const m of first.matchAll(/`([A-Z][A-Z0-9_]+)`/g)) names.add(m[1] as string);
  }
  return names;
}

const SPECS = {
  kit: { ...CORE_SETTINGS, ...CHANNEL_SETTINGS, ...OAUTH_SETTINGS },
  identity: IDENTITY_SETTINGS,
  verification: VERIFICATION_SETTINGS,
  federation: FEDERATION_SETTINGS,
  token: TOKEN_SETTINGS,
  notification: NOTIFICATION_SETTINGS,
  gateway: GATEWAY_SETTINGS,
};

t.test('README lists every setting that a process reads, and only those', async (t) => {
  const table = documented();
  const read = new Set<string>();
  for (const [owner, spec] of Object.entries(SPECS)) {
    for (const name of Object.keys(spec)) {
      read.add(name);
      t.ok(table.has(name), `${name} (${owner}) is in README's configuration table`);
    }
  }
  for (const name of table) t.ok(read.has(name), `${name} in the README is read by some process`);
});

// The config dump at start (kit's describeConfig) hides a setting by its declared `secret` flag,
// not by its name (TOKEN_PORT is a port): so every setting that holds a credential must say so.
const CREDENTIAL = /SECRET|PASSWORD|_AUTH_TOKEN$|_BOT_TOKEN$|_API_KEY$|^INTROSPECTION_CLIENTS$/;

t.test('every setting that holds a credential is declared secret; ports and URLs are not', async (t) => {
  for (const [owner, spec] of Object.entries(SPECS)) {
    for (const [name, v] of Object.entries(spec) as Array<[string, { secret?: boolean; kind: string }]>) {
      if (CREDENTIAL.test(name)) t.equal(v.secret, true, `${name} (${owner}) is declared secret`);
      if (v.kind === 'int') t.notOk(v.secret, `${name} (${owner}), a number, is shown in the dump`);
    }
  }
});
