// The username keys (issue 15): the NFKC case fold that logins look up and that is unique, and
// the UTS #39 confusable key that refuses a look-alike of a taken name.
import t from 'tap';
import { normaliseUsername, skeleton, usernameKeys, usernameSkeleton } from '../src/accounts/username.js';

const CYRILLIC_A = '\u0430'; // а
const FULLWIDTH_A = '\uFF41'; // ａ

t.test('normalised form: NFKC and full case folding', async (t) => {
  for (const typed of ['alice', 'Alice', 'ALICE', 'aLiCe', `${FULLWIDTH_A}lice`, 'ＡＬＩＣＥ']) {
    t.equal(normaliseUsername(typed), 'alice', typed);
  }
  t.equal(normaliseUsername('Straße'), 'strasse', 'ß folds to ss (full folding, not toLowerCase)');
  t.equal(normaliseUsername('STRASSE'), 'strasse');
  t.equal(normaliseUsername('ﬁle'), 'file', 'compatibility ligature decomposed');
  t.equal(normaliseUsername('\u1C89'), '\u1C8A', 'Unicode 16 Cyrillic capital TJE folds (current data)');
  t.equal(normaliseUsername('Ǆ'), normaliseUsername('ǆ'), 'title and lower case of a digraph agree');
  t.equal(normaliseUsername('ΣΊΣΥΦΟΣ'), normaliseUsername('σίσυφος'), 'Greek, final sigma included');
  t.equal(normaliseUsername('e\u0301'), normaliseUsername('\u00E9'), 'decomposed and precomposed é agree');
});

t.test('the normalised form keeps scripts apart: a Cyrillic а is not a Latin a', async (t) => {
  t.not(normaliseUsername(`${CYRILLIC_A}lice`), 'alice');
  t.equal(normaliseUsername('Ирина'), 'ирина', 'Cyrillic case folds too');
});

t.test('normalising is idempotent', async (t) => {
  for (const typed of ['Alice', 'Straße', `${FULLWIDTH_A}lice`, 'ΣΊΣΥΦΟΣ', 'Ǆemal', 'ﬁle']) {
    const once = normaliseUsername(typed);
    t.equal(normaliseUsername(once), once, typed);
  }
});

t.test('skeleton: UTS #39 prototypes', async (t) => {
  t.equal(skeleton(`${CYRILLIC_A}lice`), 'alice', 'Cyrillic а');
  t.equal(skeleton(`${FULLWIDTH_A}lice`), 'alice', 'fullwidth ａ');
  t.equal(skeleton('paypal'), skeleton('раураl'), 'Cyrillic р, а, у');
  t.equal(skeleton('m'), 'rn', 'm looks like rn');
});

t.test('the confusable key collides for every look-alike of alice', async (t) => {
  const alice = usernameSkeleton('alice');
  for (const typed of [
    'Alice',
    `${CYRILLIC_A}lice`,
    `${FULLWIDTH_A}lice`,
    'aIice', // capital I posing as l
    'a1ice', // digit one
    '\u0391lice', // Greek capital alpha
    '\u0410lice', // Cyrillic capital А
    'alic\u0435', // Cyrillic е at the end
  ]) {
    t.equal(usernameSkeleton(typed), alice, JSON.stringify(typed));
  }
  t.equal(usernameSkeleton('b0b'), usernameSkeleton('bob'), 'zero and o');
  t.equal(usernameSkeleton('rnary'), usernameSkeleton('mary'), 'rn and m');
});

t.test('names that do not look alike keep apart', async (t) => {
  const names = ['alice', 'alicia', 'bob', 'boris', 'staff1', 'staff2', 'ирина', 'irina', 'I0HuKc'];
  const keys = new Set(names.map(usernameSkeleton));
  t.equal(keys.size, names.length, names.join(', '));
  t.not(normaliseUsername('alice'), normaliseUsername('alicia'));
});

t.test('usernameKeys: both keys of a typed name', async (t) => {
  t.same(usernameKeys('Alice'), { usernameNormalised: 'alice', usernameSkeleton: usernameSkeleton('Alice') });
  t.same(usernameKeys(`${FULLWIDTH_A}lice`), usernameKeys('alice'), 'fullwidth: the same two keys');
});
