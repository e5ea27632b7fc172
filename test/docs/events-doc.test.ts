import t from 'tap';
import { readFileSync } from 'node:fs';
// The root package does not depend on contracts by name: its sources, directly.
import {
  CHANNEL_IDS,
  CODE_FAILURE_REASONS,
  CODE_PURPOSES,
  DOMAIN_EVENTS,
  EVENT_ENVELOPE_FIELDS,
  FEDERATION_PROVIDERS,
  LOGIN_FAILURE_REASONS,
  LOGIN_METHODS,
  PROFILES,
  REGISTRATION_METHODS,
} from '../../packages/contracts/src/index.js';

// docs/events.md is what subscribers read: its table must name exactly the events the code
// defines, with their producer and fields, and explain every value a field can take.
const DOC = readFileSync(new URL('../../docs/events.md', import.meta.url), 'utf8');

interface Row {
  subject: string;
  producer: string;
  when: string;
  /** Field name → whether the table marks it optional (`name`?). */
  fields: Map<string, boolean>;
}

function section(title: string): string {
  return DOC.split(new RegExp(`^## ${title}$`, 'm'))[1]?.split(/^## /m)[0] ?? '';
}

function rows(): Row[] {
  const out: Row[] = [];
  for (const line of section('Events').split('\n')) {
    if (!line.startsWith('| `auth.')) continue;
    const [, subject = '', producer = '', when = '', fields = ''] = line.split('|').map((c) => c.trim());
    const names = new Map<string, boolean>();
    for (const m of fields.matchAll(/`([A-Za-z]+)`(\?)?/g)) names.set(m[1] as string, m[2] === '?');
    out.push({ subject: subject.replace(/`/g, ''), producer, when, fields: names });
  }
  return out;
}

const table = rows();
const bySubject = new Map(table.map((r) => [r.subject, r]));

t.test('the table lists every event the contracts define, and only those, once each', async (t) => {
  const defined = DOMAIN_EVENTS.map((d) => `auth.${d.name}`);
  t.same([...bySubject.keys()].sort(), [...defined].sort(), 'same subjects');
  t.equal(table.length, bySubject.size, 'no subject listed twice');
  for (const d of DOMAIN_EVENTS) {
    t.match(d.name, /^[a-z_]+\.[a-z_]+$/, `${d.name}: auth.<entity>.<past-tense> (one token each)`);
    t.match(d.verb, /^(?:[a-z]+ed|sent)$/, `${d.name}: the verb is in the past tense`);
  }
});

t.test("each row names the event's producer and says when it is published", async (t) => {
  for (const d of DOMAIN_EVENTS) {
    const row = bySubject.get(`auth.${d.name}`);
    if (!row) continue;
    t.equal(row.producer, d.producer, `${d.name}: producer`);
    t.ok(row.when.length > 20, `${d.name}: a "when"`);
  }
});

t.test("each row's fields are the schema's properties beside id, at and requestId", async (t) => {
  for (const d of DOMAIN_EVENTS) {
    const row = bySubject.get(`auth.${d.name}`);
    if (!row) continue;
    const schema = d.schema as unknown as { required?: string[] };
    const own = d.fields.filter((f) => !EVENT_ENVELOPE_FIELDS.includes(f));
    t.same([...row.fields.keys()].sort(), [...own].sort(), `${d.name}: fields`);
    for (const [field, optional] of row.fields) {
      const required = (schema.required ?? []).includes(field);
      t.equal(optional, !required, `${d.name}.${field}: ${required ? 'always present' : 'marked optional'}`);
    }
  }
  for (const f of EVENT_ENVELOPE_FIELDS)
    t.match(DOC, new RegExp(`\`${f}\``), `the common field ${f} is explained`);
});

t.test('every value of an enumerated field is explained', async (t) => {
  const fields = section('Fields');
  const values = [
    ...REGISTRATION_METHODS,
    ...LOGIN_METHODS,
    ...LOGIN_FAILURE_REASONS,
    ...CODE_FAILURE_REASONS,
    ...CODE_PURPOSES,
    ...CHANNEL_IDS,
    ...PROFILES,
    ...FEDERATION_PROVIDERS,
    'recovery',
  ];
  for (const v of new Set(values)) t.ok(fields.includes(`\`${v}\``), `\`${v}\` is in the Fields section`);
  for (const f of new Set(DOMAIN_EVENTS.flatMap((d) => d.fields))) {
    if (EVENT_ENVELOPE_FIELDS.includes(f)) continue;
    t.ok(fields.includes(`\`${f}\``), `field ${f} is described in the Fields section`);
  }
});
