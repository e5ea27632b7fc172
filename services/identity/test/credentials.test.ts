import t from 'tap';
import { checkPassword, createPasswordHasher } from '../src/domain.js';

t.test('password policy: 8–128 characters of any kind, common ones refused', async (t) => {
  t.equal(checkPassword('short7!'), 'too_short');
  t.equal(checkPassword('x'.repeat(129)), 'too_long');
  t.equal(checkPassword('password1'), 'common');
  t.equal(checkPassword('QWERTY123'), 'common', 'case does not hide a common password');
  t.equal(checkPassword('4tfgefhey75uh'), undefined);
  t.equal(checkPassword('пароль из слов'), undefined, 'any characters');
  t.equal(checkPassword('🔑🔑🔑🔑🔑🔑🔑🔑'), undefined, 'eight emoji are eight characters');
  t.equal(checkPassword('🔑🔑🔑🔑'), 'too_short');
});

t.test('argon2id hashes verify; unknown accounts get a dummy verify', async (t) => {
  const hasher = await createPasswordHasher();
  const hash = await hasher.hash('4tfgefhey75uh');
  t.match(hash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  t.equal(await hasher.verify(hash, '4tfgefhey75uh'), true);
  t.equal(await hasher.verify(hash, '4tfgefhey75uH'), false);
  t.equal(await hasher.verify(undefined, '4tfgefhey75uh'), false);
  t.equal(await hasher.verify('not a hash', 'x'), false, 'a corrupt hash is a failed verify, not a crash');
  // The dummy verify does the same work: it must not answer much faster than a real one.
  const time = async (h: string | undefined) => {
    const s = process.hrtime.bigint();
    await hasher.verify(h, 'wrong password');
    return Number(process.hrtime.bigint() - s) / 1e6;
  };
  const real = await time(hash);
  const dummy = await time(undefined);
  t.ok(dummy > real / 3, `dummy verify ${dummy.toFixed(1)} ms vs real ${real.toFixed(1)} ms`);
});
