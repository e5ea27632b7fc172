import t from 'tap';
import { describeConfig, loadConfig, type ConfigSpec } from '../src/index.js';

// A `url-list` setting: one URL or several separated by commas (the gateway's upstreams, one
// base URL per replica), each checked as a `url` is.
const SPEC = {
  UPSTREAM: { kind: 'url-list', protocols: ['http', 'https'], default: 'http://127.0.0.1:8081', doc: 'x' },
} as const satisfies ConfigSpec;

t.test('one URL or several, in order, trailing slashes trimmed, frozen', async (t) => {
  t.same(loadConfig(SPEC, {}).UPSTREAM, ['http://127.0.0.1:8081'], 'the default is a list of one');
  const c = loadConfig(SPEC, { UPSTREAM: 'http://a:1/, https://b:2/base/ ,http://c:3' });
  t.same(c.UPSTREAM, ['http://a:1', 'https://b:2/base', 'http://c:3']);
  t.ok(Object.isFrozen(c.UPSTREAM));
});

t.test('a bad item or an empty one stops the start, naming the variable', async (t) => {
  for (const [raw, reason] of [
    ['http://a:1,ftp://b:2', /must use http or https/],
    ['http://a:1,not a url', /must be a URL/],
    ['http://a:1,,http://b:2', /none empty/],
    ['http://a:1,', /none empty/],
  ] as const) {
    t.throws(() => loadConfig(SPEC, { UPSTREAM: raw }), { variable: 'UPSTREAM', message: reason }, raw);
  }
});

t.test('described with any credentials masked', async (t) => {
  const c = loadConfig(SPEC, { UPSTREAM: 'http://u:pw@a:1,http://b:2' });
  const d = describeConfig(SPEC, c);
  t.notMatch(JSON.stringify(d), /pw/);
  t.equal((d.UPSTREAM as string[]).length, 2);
});
