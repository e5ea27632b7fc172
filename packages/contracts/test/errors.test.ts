import t from 'tap';
import { PropuskError, errorFromWire, allErrorCodes, errorSpec } from '../src/index.js';

t.test('an error travels as code + description and comes back typed', async (t) => {
  const err = new PropuskError('unavailable', 'redis is down', { dependency: 'redis' });
  const wire = JSON.parse(JSON.stringify(err.toWire()));
  t.same(wire, { code: 'unavailable', description: 'redis is down', details: { dependency: 'redis' } });
  const back = errorFromWire(wire);
  t.type(back, PropuskError);
  t.equal(back.code, 'unavailable');
  t.equal(back.status, 503);
  t.equal(back.message, 'redis is down');
});

t.test('an unknown code from the wire becomes internal, never a crash', async (t) => {
  const back = errorFromWire({ code: 'no_such_code', description: 'x' });
  t.equal(back.code, 'internal');
  t.equal(back.status, 500);
});

t.test('codes are snake_case with an HTTP status', async (t) => {
  for (const code of allErrorCodes()) {
    t.match(code, /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/, code);
    const status = errorSpec(code)?.status ?? 0;
    t.ok(status >= 400 && status < 600, `${code} has an error status`);
  }
});
