// The account session index reports each new session (auth.session.created) once it is indexed;
// re-recording a rotated refresh family is no new session. A store that fails reports nothing.
// (test/e2e/events.test.ts sees the events of every profile's issue arrive on JetStream.)
import t from 'tap';
import { randomUUID } from 'node:crypto';
import { EVENTS, tokenId, validate } from '@propusk/contracts';
import { createAccountSessionIndex } from '../src/account-sessions/service.js';
import { createDrfService } from '../src/drf/service.js';
import type { TokenEvents } from '../src/events/port.js';
import { fakeAccountSessionStore } from './fixtures/account-sessions-store.js';
import { fakeDrfStore, manualClock, type Outage } from './fixtures/fakes.js';

function setup() {
  const clock = manualClock();
  const outage: Outage = { down: false };
  const created: Parameters<TokenEvents['sessionCreated']>[0][] = [];
  const sessions = createAccountSessionIndex({
    store: fakeAccountSessionStore(outage),
    events: { sessionCreated: (e) => void created.push(e) },
    now: clock.now,
  });
  return { clock, outage, created, sessions };
}

t.test('a drf issue opens a session: one event naming the account, profile and token id', async (t) => {
  const { clock, outage, created, sessions } = setup();
  const drf = createDrfService({
    store: fakeDrfStore(clock.now, outage),
    sessions,
    ttlS: 3600,
    now: clock.now,
  });
  const accountId = randomUUID();
  const { token, session } = await drf.issue({ accountId, username: 'staff1', roles: [] });
  t.same(created, [{ accountId, profile: 'drf', sessionId: tokenId(token), exp: session.exp }]);
  const full = { id: randomUUID(), at: new Date().toISOString(), ...created[0] };
  t.ok(validate(EVENTS.sessionCreated.schema, full), 'matches auth.session.created');
  t.notMatch(JSON.stringify(created), new RegExp(token), 'the token itself is not in the event');
});

t.test('re-recording a session is not a new one; an index that fails reports nothing', async (t) => {
  const { outage, created, sessions } = setup();
  const accountId = randomUUID();
  const ref = { profile: 'admin-telegram', id: randomUUID(), exp: 2_000_000_000 } as const;
  await sessions.open(accountId, ref);
  await sessions.record(accountId, { ...ref, exp: ref.exp + 60 });
  t.equal(created.length, 1, 'rotation only re-times the family');
  outage.down = true;
  await t.rejects(sessions.open(accountId, { ...ref, id: randomUUID() }));
  t.equal(created.length, 1, 'not indexed, not reported');
});
