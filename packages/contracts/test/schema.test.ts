import t from 'tap';
import { Type } from '@sinclair/typebox';
import { defineRpc, validate, issues, replyEnvelope } from '../src/index.js';

const contract = defineRpc(
  'identity',
  'lookup',
  Type.Object({ username: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
  Type.Object({ id: Type.String() }),
);

t.test('requests are validated against their schema', async (t) => {
  t.ok(validate(contract.request, { username: 'staff1' }));
  t.notOk(validate(contract.request, { username: '' }));
  t.notOk(validate(contract.request, { username: 'a', extra: 1 }));
  const found = issues(contract.request, { username: 5 });
  t.equal(found[0]?.path, '/username');
});

t.test('replies are validated inside their envelope', async (t) => {
  const env = replyEnvelope(contract.response);
  t.ok(validate(env, { ok: true, data: { id: 'x' } }));
  t.ok(validate(env, { ok: false, error: { code: 'internal', description: 'x' } }));
  t.notOk(validate(env, { ok: true, data: { id: 1 } }));
  t.notOk(validate(env, { ok: false }));
});

t.test('operation names are checked when defined', async (t) => {
  t.throws(() => defineRpc('token', 'Bad Name', Type.Object({}), Type.Object({})));
});

t.test('uuid-formatted fields validate (the format is registered by the contracts)', async (t) => {
  const schema = Type.Object({ id: Type.String({ format: 'uuid' }) });
  t.ok(validate(schema, { id: '457a33d2-4259-4409-9542-3156fd922779' }));
  t.notOk(validate(schema, { id: 'not-a-uuid' }));
});
