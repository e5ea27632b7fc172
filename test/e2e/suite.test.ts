import t from 'tap';
import { bootSuite, metricsAuth } from '@propusk/testkit';

// The foundation end to end: six real processes against the real Postgres, Redis and NATS.
t.test('the whole suite boots, reports ready through the gateway and stops cleanly', async (t) => {
  const suite = await bootSuite();
  let stopped = false;
  t.teardown(async () => {
    if (!stopped) await suite.stop();
  });

  t.test('gateway /readyz is 200 and covers every service and its own dependencies', async (t) => {
    const res = await fetch(`${suite.url}/readyz`);
    const body = (await res.json()) as { status: string; checks: Record<string, string> };
    t.equal(res.status, 200, JSON.stringify(body));
    t.equal(body.status, 'ready');
    for (const name of ['nats', 'redis', 'identity', 'verification', 'federation', 'token', 'notification']) {
      t.equal(body.checks[name], 'ok', `${name} is checked and ok`);
    }
  });

  t.test('each service reports its own dependencies, Postgres included where used', async (t) => {
    const expect: Record<string, string[]> = {
      IDENTITY_PORT: ['nats', 'redis', 'postgres'],
      VERIFICATION_PORT: ['nats', 'redis'],
      FEDERATION_PORT: ['nats', 'redis'],
      TOKEN_PORT: ['nats', 'redis', 'postgres'],
      NOTIFICATION_PORT: ['nats', 'redis', 'jetstream'],
    };
    for (const [portVar, checks] of Object.entries(expect)) {
      const res = await fetch(`http://127.0.0.1:${suite.env[portVar]}/readyz`);
      const body = (await res.json()) as { checks: Record<string, string> };
      t.equal(res.status, 200, portVar);
      t.same(Object.keys(body.checks).sort(), [...checks].sort(), `${portVar} checks ${checks.join(', ')}`);
    }
  });

  t.test('/healthz says alive and /metrics is Prometheus text, for the bearer token only', async (t) => {
    const health = await fetch(`${suite.url}/healthz`);
    t.equal(health.status, 200);
    t.same(await health.json(), { status: 'alive' });
    const open = await fetch(`${suite.url}/metrics`);
    t.equal(open.status, 401, 'the public port serves no metrics without the token');
    t.equal(open.headers.get('www-authenticate'), 'Bearer realm="metrics"');
    const metrics = await fetch(`${suite.url}/metrics`, { headers: metricsAuth(suite) });
    t.equal(metrics.status, 200);
    t.match(metrics.headers.get('content-type'), /text\/plain/);
    const text = await metrics.text();
    t.match(text, /propusk_http_request_duration_seconds_bucket/);
    t.match(text, /process_resident_memory_bytes/);
  });

  t.test('unknown paths answer 404 JSON, with and without a trailing slash', async (t) => {
    for (const path of ['/no/such/path', '/no/such/path/']) {
      const res = await fetch(`${suite.url}${path}`, { method: 'POST' });
      t.equal(res.status, 404);
      t.match(res.headers.get('content-type'), /application\/json/);
      t.match(await res.json(), { error: 'not_found' });
    }
  });

  t.test('a request id is kept when it looks like one, and made otherwise', async (t) => {
    const kept = await fetch(`${suite.url}/healthz`, { headers: { 'x-request-id': 'client-req-0001' } });
    t.equal(kept.headers.get('x-request-id'), 'client-req-0001');
    const made = await fetch(`${suite.url}/healthz`, { headers: { 'x-request-id': 'bad id with spaces' } });
    t.match(made.headers.get('x-request-id'), /^[0-9a-f-]{36}$/);
  });

  t.test('SIGTERM stops every process with exit 0 within 10 s', async (t) => {
    const started = Date.now();
    const results = await suite.stop();
    stopped = true;
    t.ok(Date.now() - started < 10_000, `stopped in ${Date.now() - started} ms`);
    t.equal(results.length, 6);
    for (const r of results) t.equal(r.code, 0, `${r.name} exited 0`);
  });
});
