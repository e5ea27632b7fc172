import { randomUUID } from 'node:crypto';
import t from 'tap';
import { bootSuite, type Suite } from '@propusk/testkit';
import { bearer, post } from './helpers/http.js';
import { newPerson, registrationBody, succeeds, V2, v2Client } from './helpers/v2.js';

// Issue 7: "request ids carried across NATS hops in headers, so one login can be followed through
// every service's logs". The client's `x-request-id` (or the gateway's own) goes to the service
// over HTTP, from there in the NATS header of every RPC call and in the JetStream message of a
// queued notification; each process logs its part of the work with that id (`reqId`).

interface LogLine {
  reqId?: string;
  msg?: string;
}

/** The processes that logged a line carrying `requestId`, and what they logged. */
function hopsOf(suite: Suite, requestId: string): Map<string, string[]> {
  const hops = new Map<string, string[]>();
  for (const entry of suite.logs) {
    const bar = entry.indexOf(' | ');
    if (bar === -1) continue;
    const name = entry.slice(0, bar);
    let line: LogLine;
    try {
      line = JSON.parse(entry.slice(bar + 3)) as LogLine;
    } catch {
      continue;
    }
    if (line.reqId !== requestId) continue;
    hops.set(name, [...(hops.get(name) ?? []), line.msg ?? '']);
  }
  return hops;
}

const traceId = () => `trace-${randomUUID()}`;

t.test('one request id through the gateway, the services, NATS and JetStream', async (t) => {
  // Request lines are logged at info; the default test level (warn) would hide them.
  const suite = await bootSuite({ env: { LOG_LEVEL: 'info', CODE_SENDS_PER_IP_PER_HOUR: '1000' } });
  t.teardown(() => suite.stop());
  const v2 = v2Client(suite);

  t.test('registration: gateway → identity → (NATS) token', async (t) => {
    const id = traceId();
    const p = newPerson();
    const res = await post(suite.url, V2.registration, {
      json: registrationBody(p),
      headers: { 'x-request-id': id },
    });
    succeeds(t, res, ['token'], 'registration');
    t.equal(res.headers.get('x-request-id'), id, 'the answer names the request');
    const hops = await hopsSettled(suite, id, ['gateway', 'identity', 'token']);
    t.ok(hops.get('gateway')?.includes('request'), 'the gateway logged the request');
    t.ok(hops.get('identity')?.includes('request'), 'identity logged it under the same id');
    t.ok(hops.get('token')?.includes('rpc'), 'the token service logged the issue call under the same id');
  });

  t.test('a login code: gateway → identity → (NATS) verification → (JetStream) notification', async (t) => {
    const p = newPerson();
    await v2.register(p);
    const id = traceId();
    const sent = await v2.smsCode(p.e164, () =>
      post(suite.url, V2.loginByPhone, {
        json: { phone_number: p.phone_number },
        headers: { 'x-request-id': id },
      }),
    );
    t.equal(sent.res.headers.get('x-request-id'), id);
    const hops = await hopsSettled(suite, id, ['gateway', 'identity', 'notification', 'verification']);
    t.ok(hops.get('notification')?.includes('notification sent'), 'notification logged the SMS it sent');
    t.same(
      [...hops.keys()].sort(),
      ['gateway', 'identity', 'notification', 'verification'],
      'every process on the way, and only those',
    );
    t.ok(hops.get('verification')?.includes('rpc'), 'verification logged the issue call');

    const signIn = traceId();
    const res = await post(suite.url, V2.code, {
      json: { login: p.e164, code: sent.code },
      headers: { 'x-request-id': signIn },
    });
    const { token } = succeeds(t, res, ['token'], 'sign in with the code') as { token: string };
    t.same(
      [...(await hopsSettled(suite, signIn, ['gateway', 'identity', 'token', 'verification'])).keys()].sort(),
      ['gateway', 'identity', 'token', 'verification'],
      'the code check and the token issue carry the sign-in request id',
    );

    const signout = traceId();
    await post(suite.url, V2.signout, { headers: { ...bearer(token), 'x-request-id': signout } });
    const signoutHops = await hopsSettled(suite, signout, ['gateway', 'token']);
    t.ok(signoutHops.get('token')?.includes('request'), 'signout reached the token service with the id');
  });

  t.test('no id from the client: the gateway makes one and it travels the same way', async (t) => {
    const res = await post(suite.url, V2.registration, { json: registrationBody(newPerson()) });
    const id = res.headers.get('x-request-id') ?? '';
    t.match(id, /^[0-9a-f-]{36}$/, 'a fresh id');
    t.same([...(await hopsSettled(suite, id, ['gateway', 'identity', 'token'])).keys()].sort(), [
      'gateway',
      'identity',
      'token',
    ]);
  });

  t.test('an id that is not an id (spaces, control characters) is replaced, never logged', async (t) => {
    const res = await post(suite.url, V2.registration, {
      json: registrationBody(newPerson()),
      headers: { 'x-request-id': 'not an id; drop table' },
    });
    t.not(res.headers.get('x-request-id'), 'not an id; drop table');
    t.notOk(
      suite.logs.some((l) => l.includes('drop table')),
      'the text never reached any log',
    );
  });
});

/**
 * The hops of `requestId` once `expected` have all logged (request lines are written after the
 * answer went out, and reach the suite's log through a pipe), or as they are after 5 s.
 */
async function hopsSettled(suite: Suite, requestId: string, expected: readonly string[]) {
  const deadline = Date.now() + 5000;
  let hops = hopsOf(suite, requestId);
  while (!expected.every((name) => hops.has(name)) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    hops = hopsOf(suite, requestId);
  }
  // A moment more, so a hop that should not be there has had its chance to show.
  await new Promise((r) => setTimeout(r, 200));
  return hopsOf(suite, requestId);
}
