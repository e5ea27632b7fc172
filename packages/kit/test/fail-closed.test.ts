import t from 'tap';
import { PropuskError } from '@propusk/contracts';
import { failClosed } from '../src/index.js';

t.test('failClosed: the answer when the store answers, the refusal when it fails', async (t) => {
  const refusal = () => new PropuskError('unavailable', 'counters unavailable');
  t.equal(await failClosed(async () => 42, refusal), 42);
  await t.rejects(
    failClosed(async () => {
      throw new Error('ECONNREFUSED 127.0.0.1:6379');
    }, refusal),
    { code: 'unavailable', message: 'counters unavailable' },
    'any failure refuses, in the caller’s words',
  );
});
