// The grammY bot in long-polling mode against the Telegram stand-in, with a fake identity
// service on the test namespace: /start records the chat and answers in Russian.
import t from 'tap';
import { BOT_MESSAGES } from '../src/bot/messages.js';
import { startFakeIdentity, startHarness } from './fixtures/notification.js';

const h = await startHarness();
const identity = await startFakeIdentity(h.ns, ['I0HuKc']);
t.teardown(async () => {
  await identity.close();
  await h.close();
});
const { telegram } = h;
const replyTo = (chatId: number) => telegram.waitForMessage((m) => m.chat_id === chatId, 10_000);

t.test(
  '/start from an allowlisted username (any case) records the chat and says what to do next',
  async (t) => {
    telegram.sendStart({ chatId: 3546223, username: 'i0hukc' });
    const reply = await replyTo(3546223);
    t.equal(reply.text, BOT_MESSAGES.allowlisted);
    t.match(reply.text, /код регистрации/);
    t.same(identity.calls.at(-1), { username: 'i0hukc', chatId: 3546223 });
  },
);

t.test('/start with a payload from a stranger: not on the staff list', async (t) => {
  telegram.sendStart({ chatId: 777, username: 'stranger', text: '/start from-site' });
  const reply = await replyTo(777);
  t.equal(reply.text, BOT_MESSAGES.notAllowlisted);
  t.match(reply.text, /нет в списке сотрудников/);
  t.same(identity.calls.at(-1), { username: 'stranger', chatId: 777 });
});

t.test('/start without a username asks to set one, identity is not asked', async (t) => {
  const calls = identity.calls.length;
  telegram.pushUpdate({
    message: {
      message_id: 1,
      date: Math.floor(Date.now() / 1000),
      from: { id: 888, is_bot: false, first_name: 'Anon' },
      chat: { id: 888, type: 'private', first_name: 'Anon' },
      text: '/start',
      entities: [{ offset: 0, length: 6, type: 'bot_command' }],
    },
  });
  t.equal((await replyTo(888)).text, BOT_MESSAGES.noUsername);
  t.equal(identity.calls.length, calls);
});

t.test('/start in a group is ignored (codes go to private chats only)', async (t) => {
  const calls = identity.calls.length;
  telegram.pushUpdate({
    message: {
      message_id: 2,
      date: Math.floor(Date.now() / 1000),
      from: { id: 999, is_bot: false, first_name: 'G', username: 'I0HuKc' },
      chat: { id: -100999, type: 'group', title: 'Staff' },
      text: '/start',
      entities: [{ offset: 0, length: 6, type: 'bot_command' }],
    },
  });
  // Updates are handled in order: once the next private /start is answered, the group one was seen.
  telegram.sendStart({ chatId: 1001, username: 'stranger' });
  await replyTo(1001);
  t.equal(telegram.sent.filter((m) => m.chat_id === -100999).length, 0);
  t.equal(identity.calls.length, calls + 1, 'only the private /start reached identity');
});

t.test('identity unavailable: "try later", and the bot keeps working', async (t) => {
  await identity.close();
  telegram.sendStart({ chatId: 4242, username: 'I0HuKc' });
  t.equal((await replyTo(4242)).text, BOT_MESSAGES.tryLater);
  telegram.sendStart({ chatId: 4243, username: 'I0HuKc' });
  t.equal((await replyTo(4243)).text, BOT_MESSAGES.tryLater, 'the next update is handled too');
});
