import t from 'tap';
import {
  comparedText,
  cpuPerRequestUs,
  fmt,
  formatGrid,
  formatTable,
  halfLoadRate,
  judge,
  keyClass,
  median,
  overheadUs,
  percentile,
  ratio,
  summarize,
  type Target,
} from '../../bench/lib/stats.js';
import { packageOf } from '../../bench/lib/profile.js';

// The arithmetic behind `npm run bench`'s table (bench/lib/stats.ts): a wrong percentile or an
// inverted ratio would print a plausible table that says the opposite of what was measured.

t.test('percentile: nearest rank of sorted samples', async (t) => {
  const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
  t.equal(percentile(hundred, 50), 50);
  t.equal(percentile(hundred, 99), 99);
  t.equal(percentile(hundred, 100), 100);
  t.equal(percentile(hundred, 0.5), 1, 'the lowest rank is the first sample');
  t.equal(percentile([7], 99), 7, 'one sample is every percentile');
  t.equal(percentile([1, 2, 3, 4], 50), 2, 'rank ceil(0.5 × 4) = 2');
  t.equal(percentile([1, 2, 3, 4], 51), 3);
  t.ok(Number.isNaN(percentile([], 50)), 'no samples: NaN, not 0');
  t.throws(() => percentile(hundred, 0), RangeError);
  t.throws(() => percentile(hundred, 101), RangeError);
});

t.test('summarize sorts its input and reads count, mean, p50, p90, p99, max', async (t) => {
  const samples = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
  t.same(summarize(samples), { count: 10, mean: 5.5, p50: 5, p90: 9, p99: 10, max: 10 });
  t.same(samples, [5, 1, 4, 2, 3, 10, 9, 8, 7, 6], 'the caller’s array is left as it was');
  // A long tail shows in p99 and not in p50: what the targets are about.
  const tail = [...Array.from({ length: 990 }, () => 1), ...Array.from({ length: 10 }, () => 50)];
  t.match(summarize(tail), { p50: 1, p90: 1, p99: 1, max: 50 });
  t.match(summarize([...tail, 50]), { p99: 50 }, 'one more slow answer moves p99');
  t.ok(Number.isNaN(summarize([]).mean));
});

t.test('median, ratio and the overhead per request', async (t) => {
  t.equal(median([3, 1, 2]), 2);
  t.equal(median([4, 1, 3, 2]), 2.5, 'even count: mean of the middle two');
  t.ok(Number.isNaN(median([])));
  t.equal(ratio(850, 1000), 0.85, 'measured ÷ reference');
  t.ok(Number.isNaN(ratio(1, 0)), 'no reference, no ratio');
  t.ok(Number.isNaN(ratio(NaN, 10)));
  // 1000 req/s is 1000 µs a request, 2000 req/s is 500 µs: 500 µs more.
  t.equal(overheadUs(1000, 2000), 500);
  t.equal(overheadUs(2000, 1000), -500, 'faster than the reference: negative overhead');
  t.ok(Number.isNaN(overheadUs(0, 1000)));
});

t.test('half load: half the 960/s target, or half what was reached when lower', async (t) => {
  t.equal(halfLoadRate(1500), 480);
  t.equal(halfLoadRate(301), 150);
  t.equal(halfLoadRate(0), 1, 'never a zero rate');
  t.equal(halfLoadRate(1000, 200), 100);
});

t.test('judge: a floor is met at or above it, a ceiling at or below it', async (t) => {
  const floor: Target = { kind: 'min', value: 0.85, text: '≥ 85%' };
  const ceiling: Target = { kind: 'max', value: 20, text: 'p99 ≤ 20 ms' };
  t.equal(judge(0.85, floor), 'met');
  t.equal(judge(0.849, floor), 'missed');
  t.equal(judge(20, ceiling), 'met');
  t.equal(judge(20.5, ceiling), 'missed');
  t.equal(judge(NaN, floor), 'n/a', 'a figure that was not measured is neither');
  t.equal(judge(1, undefined), 'n/a');
});

t.test('the table: ratios as percentages, rates and times as numbers, columns aligned', async (t) => {
  t.equal(fmt(1234.4, 'req/s'), '1234 req/s');
  t.equal(fmt(12.345, 'ms'), '12.3 ms');
  t.equal(fmt(0.456), '0.46');
  t.equal(fmt(NaN), '—');
  t.equal(comparedText({ measure: 'a', figure: '', target: '≥ 85% of x', compared: 0.7912 }), '79.1%');
  t.equal(comparedText({ measure: 'a', figure: '', compared: 0.5 }), '50.0%', 'a ratio without a target');
  t.equal(comparedText({ measure: 'a', figure: '', target: 'p99 ≤ 20 ms', compared: 24.26 }), '24.3');
  t.equal(comparedText({ measure: 'a', figure: '' }), '');

  const text = formatTable([
    { measure: 'login ÷ argon2', figure: '', target: '≥ 85%', compared: 0.9, verdict: 'met' },
    { measure: 'refresh', figure: '500 req/s', target: '≥ 960/s', compared: 500, verdict: 'missed' },
  ]);
  const lines = text.split('\n');
  t.equal(lines.length, 4, 'header, rule, two rows');
  t.match(lines[0], /^measure\s+\| figure\s+\| target\s+\| ratio\/value \| verdict$/);
  t.match(lines[2], /^login ÷ argon2 \|\s+\| ≥ 85%\s+\| 90\.0%\s+\| met$/);
  t.match(lines[3], /^refresh\s+\| 500 req\/s \| ≥ 960\/s \| 500\s+\| missed$/);
  const bars = lines.map((l) => [...l].map((c, i) => (c === '|' ? i : -1)).filter((i) => i >= 0));
  t.same(bars[2], bars[0], 'the column separators line up');
  t.same(bars[3], bars[0]);

  t.equal(
    formatGrid(
      ['a', 'bb'],
      [
        ['zzz', ''],
        ['', 'y'],
      ],
    ),
    'a   | bb\n----|---\nzzz |\n    | y',
  );
});

t.test('CPU per request and the kinds of Redis keys and profile frames', async (t) => {
  t.same(
    cpuPerRequestUs({ gateway: 300, token: 100 }, 1000),
    { gateway: 300, token: 100 },
    'ms ÷ answers, in µs',
  );
  t.same(cpuPerRequestUs({ gateway: 300 }, 0), {}, 'no answers, no figure');
  t.equal(
    keyClass('propusk:t1:admin:refresh-family:6f1c2a8e-1111-4222-8333-944445555666', 'propusk:t1:'),
    'admin:refresh-family:*',
  );
  t.equal(
    keyClass('propusk:t1:admin:refresh:{family:f1}:6f1c2a8e-1111-4222-8333-944445555666', 'propusk:t1:'),
    'admin:refresh:*:*',
    'a hash tag is one id',
  );
  t.equal(
    keyClass('propusk:t1:authz:session:{authz:abcdefabcdefabcdef}:access', 'propusk:t1:'),
    'authz:session:*:access',
  );
  t.equal(keyClass('propusk:t1:account:sessions:123', 'propusk:t1:'), 'account:sessions:*');
  t.equal(packageOf('file:///x/node_modules/.pnpm/undici@7/node_modules/undici/lib/core/util.js'), 'undici');
  t.equal(packageOf('file:///x/node_modules/@fastify/reply-from/index.js'), '@fastify/reply-from');
  t.equal(packageOf('file:///work/main/gateway/src/proxy.ts'), 'propusk gateway');
  t.equal(packageOf('file:///work/main/services/token/src/drf/service.ts'), 'propusk services/token');
  t.equal(packageOf('node:net'), 'node internals');
  t.equal(packageOf(''), '(native/V8)');
});
