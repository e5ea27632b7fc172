// Recording /start chats (contract identity.recordTelegramChat), the domain: fake stores.
import t from 'tap';
import { createTelegramChatsService } from '../src/telegram-chats/service.js';
import type { TelegramChat } from '../src/telegram-chats/store.js';
import { memoryChatStore } from './fixtures/admin-fakes.js';

function setup() {
  const rows = new Map<string, TelegramChat>();
  const asked: string[] = [];
  const chats = createTelegramChatsService({
    staff: {
      has: async (name) => {
        asked.push(name);
        return name === 'i0hukc';
      },
    },
    store: memoryChatStore(rows),
  });
  return { rows, asked, chats };
}

t.test('an allowlisted username in any case, with or without @, is recorded lower-cased', async (t) => {
  const { rows, asked, chats } = setup();
  for (const username of ['I0HuKc', '@i0hukc', 'I0HUKC']) {
    t.same(await chats.record({ username, chatId: 3546223 }), { allowlisted: true }, username);
  }
  t.same(asked, ['i0hukc', 'i0hukc', 'i0hukc']);
  t.same([...rows.values()], [{ username: 'i0hukc', chatId: 3546223, accountId: null }]);
  t.same(await chats.ofUsername('@I0HuKc'), { username: 'i0hukc', chatId: 3546223, accountId: null });
});

t.test('a new /start moves the chat', async (t) => {
  const { rows, chats } = setup();
  await chats.record({ username: 'i0hukc', chatId: 1 });
  await chats.record({ username: 'i0hukc', chatId: 2 });
  t.equal(rows.get('i0hukc')!.chatId, 2);
});

t.test('anyone else: allowlisted false and nothing recorded', async (t) => {
  const { rows, asked, chats } = setup();
  for (const username of ['stranger', 'ab', 'not a username', '']) {
    t.same(await chats.record({ username, chatId: 5 }), { allowlisted: false }, JSON.stringify(username));
  }
  t.same(asked, ['stranger'], 'names that cannot be Telegram usernames are not even looked up');
  t.equal(rows.size, 0);
  t.equal(await chats.ofUsername('stranger'), undefined);
  t.equal(await chats.ofUsername('x'), undefined);
});
