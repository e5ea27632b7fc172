import type { FastifyReply, FastifyRequest } from 'fastify';
import { registerStartControl } from './telegram-control.js';
import type {
  TelegramFailure,
  TelegramSentMessage,
  TelegramStandIn,
  TelegramStandInOptions,
  TelegramStartOptions,
  TelegramUpdate,
} from './telegram-types.js';
import { createApp, FailureQueue, listenLocal, randomToken, Recorder } from './util.js';

/**
 * Telegram Bot API stand-in: `POST|GET {url}/bot{token}/{method}` with JSON, form or query
 * parameters, answering the `{ok, result}` / `{ok:false, error_code, description}` envelope.
 * Point grammY at it with `new Bot(token, { client: { apiRoot: standIn.url } })`.
 */

export type {
  TelegramFailure,
  TelegramSentMessage,
  TelegramStandIn,
  TelegramStandInOptions,
  TelegramStartOptions,
  TelegramUpdate,
} from './telegram-types.js';

interface ApiAnswer {
  status: number;
  body: unknown;
}

interface PollWaiter {
  offset: number;
  limit: number;
  finish: (answer: ApiAnswer) => void;
}

const TRUE_METHODS = new Set([
  'deleteWebhook',
  'answerCallbackQuery',
  'setMyCommands',
  'deleteMyCommands',
  'setChatMenuButton',
  'setMyDescription',
  'setMyShortDescription',
  'setMyName',
  'deleteMessage',
  'sendChatAction',
  'logOut',
  'close',
]);

const MAX_MESSAGE_LENGTH = 4096;

export async function startTelegramStandIn(options: TelegramStandInOptions = {}): Promise<TelegramStandIn> {
  const token = options.token ?? defaultToken();
  const botId = Number(token.split(':')[0]) || 7000000001;
  const botUser = {
    id: botId,
    is_bot: true,
    first_name: 'Propusk Test Bot',
    username: options.botUsername ?? 'propusk_test_bot',
    can_join_groups: true,
    can_read_all_group_messages: false,
    supports_inline_queries: false,
    can_connect_to_business: false,
    has_main_web_app: false,
  };

  const calls: string[] = [];
  const requests: TelegramStandIn['requests'] = [];
  const sentLog = new Recorder<TelegramSentMessage>();
  const callLog = new Recorder<string>();
  const updates: TelegramUpdate[] = [];
  const webhookDeliveries: TelegramStandIn['webhookDeliveries'] = [];
  const failures = new FailureQueue<TelegramFailure>();
  const blocked = new Set<string>();
  const knownChats = new Map<string, Record<string, unknown>>();
  const deliveries = new Set<Promise<void>>();
  const deliveryAbort = new AbortController();
  let queue: TelegramUpdate[] = [];
  const pollers = new Set<PollWaiter>();
  let nextUpdateId = 100000001;
  let nextMessageId = 1;
  let closing = false;

  const state = { webhook: null as TelegramStandIn['webhook'] };

  function ok(result: unknown): ApiAnswer {
    return { status: 200, body: { ok: true, result } };
  }

  function fail(
    error_code: number,
    description: string,
    parameters?: TelegramFailure['parameters'],
  ): ApiAnswer {
    const body: Record<string, unknown> = { ok: false, error_code, description };
    if (parameters) body.parameters = parameters;
    return { status: error_code, body };
  }

  /** Updates the client has not confirmed yet, per Telegram's offset rules. */
  function takePending(offset: number, limit: number): TelegramUpdate[] {
    if (offset < 0) return queue.slice(offset).slice(0, limit);
    // Calling getUpdates with an offset confirms (and forgets) every earlier update.
    if (offset > 0) queue = queue.filter((u) => u.update_id >= offset);
    return queue.slice(0, limit);
  }

  function wakePollers(): void {
    for (const poller of [...pollers]) {
      const batch = takePending(poller.offset, poller.limit);
      if (batch.length > 0) poller.finish(ok(batch));
    }
  }

  function getUpdates(params: Record<string, unknown>, reply: FastifyReply): ApiAnswer | Promise<ApiAnswer> {
    if (state.webhook) {
      return fail(
        409,
        "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
      );
    }
    // Real Telegram ends an older long poll when a newer one arrives (two bot instances).
    for (const older of [...pollers]) {
      older.finish(
        fail(
          409,
          'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running',
        ),
      );
    }
    const offset = Number(params.offset ?? 0) || 0;
    const limit = Math.min(Math.max(Number(params.limit ?? 100) || 100, 1), 100);
    const timeoutSeconds = Math.max(Number(params.timeout ?? 0) || 0, 0);
    const batch = takePending(offset, limit);
    if (batch.length > 0 || timeoutSeconds === 0 || closing) return ok(batch);
    return holdPoll(offset, limit, timeoutSeconds, reply);
  }

  /** Long poll: answer when an update arrives, the timeout passes, or the stand-in closes. */
  function holdPoll(
    offset: number,
    limit: number,
    timeoutSeconds: number,
    reply: FastifyReply,
  ): Promise<ApiAnswer> {
    return new Promise<ApiAnswer>((resolve) => {
      const poller: PollWaiter = {
        offset,
        limit,
        finish(answer) {
          if (!pollers.delete(poller)) return;
          clearTimeout(timer);
          resolve(answer);
        },
      };
      const timer = setTimeout(() => poller.finish(ok([])), timeoutSeconds * 1000);
      pollers.add(poller);
      // The client gave up (grammY aborts on bot.stop()): forget the poll, keep the updates.
      reply.raw.on('close', () => poller.finish(ok([])));
    });
  }

  function sendMessage(params: Record<string, unknown>): ApiAnswer {
    const chatId = normaliseChatId(params.chat_id);
    const text = typeof params.text === 'string' ? params.text : '';
    if (chatId === undefined || chatId === '') return fail(400, 'Bad Request: chat_id is empty');
    if (text.trim() === '') return fail(400, 'Bad Request: message text is empty');
    if (text.length > MAX_MESSAGE_LENGTH) return fail(400, 'Bad Request: message is too long');
    const injected = failures.take();
    if (injected) return fail(injected.error_code, injected.description, injected.parameters);
    if (blocked.has(String(chatId))) return fail(403, 'Forbidden: bot was blocked by the user');
    const messageId = nextMessageId++;
    sentLog.push({ ...params, chat_id: chatId, text, message_id: messageId });
    const chat = knownChats.get(String(chatId)) ?? { id: chatId, type: 'private' };
    return ok({
      message_id: messageId,
      from: { id: botUser.id, is_bot: true, first_name: botUser.first_name, username: botUser.username },
      chat,
      date: unixNow(),
      text,
    });
  }

  function setWebhook(params: Record<string, unknown>): ApiAnswer {
    const url = typeof params.url === 'string' ? params.url : '';
    if (url === '') {
      state.webhook = null;
      return ok(true);
    }
    if (!/^https?:\/\//.test(url))
      return fail(400, 'Bad Request: bad webhook: An HTTPS URL must be provided for webhook');
    state.webhook = { url };
    if (typeof params.secret_token === 'string') state.webhook.secret_token = params.secret_token;
    return ok(true);
  }

  function dispatch(
    method: string,
    params: Record<string, unknown>,
    reply: FastifyReply,
  ): ApiAnswer | Promise<ApiAnswer> {
    switch (method) {
      case 'getMe':
        return ok(botUser);
      case 'getUpdates':
        return getUpdates(params, reply);
      case 'sendMessage':
        return sendMessage(params);
      case 'setWebhook':
        return setWebhook(params);
      case 'deleteWebhook':
        state.webhook = null;
        if (params.drop_pending_updates === true || params.drop_pending_updates === 'true') queue = [];
        return ok(true);
      case 'getWebhookInfo':
        return ok({
          url: state.webhook?.url ?? '',
          has_custom_certificate: false,
          pending_update_count: queue.length,
        });
      default:
        return TRUE_METHODS.has(method) ? ok(true) : fail(404, 'Not Found');
    }
  }

  async function handle(
    request: FastifyRequest<{ Params: { token: string; method: string } }>,
    reply: FastifyReply,
  ) {
    const { token: given, method } = request.params;
    if (given !== token)
      return reply.code(401).send({ ok: false, error_code: 401, description: 'Unauthorized' });
    const params = { ...objectOrEmpty(request.query), ...objectOrEmpty(request.body) };
    calls.push(method);
    requests.push({ method, params });
    callLog.push(method);
    const answer = await dispatch(method, params, reply);
    return reply.code(answer.status).send(answer.body);
  }

  /** Webhook mode: POST the update to the registered URL once, as Telegram would. */
  function deliver(update: TelegramUpdate): void {
    const hook = state.webhook;
    if (!hook) return;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (hook.secret_token) headers['x-telegram-bot-api-secret-token'] = hook.secret_token;
    const delivery = fetch(hook.url, {
      method: 'POST',
      headers,
      body: JSON.stringify(update),
      signal: deliveryAbort.signal,
    })
      .then(async (res) => {
        await res.arrayBuffer();
        webhookDeliveries.push({ update_id: update.update_id, status: res.status });
      })
      .catch((err: unknown) => {
        webhookDeliveries.push({ update_id: update.update_id, error: (err as Error).message });
      })
      .finally(() => deliveries.delete(delivery));
    deliveries.add(delivery);
  }

  function pushUpdate(input: Omit<TelegramUpdate, 'update_id'> & { update_id?: number }): TelegramUpdate {
    const update_id = input.update_id ?? nextUpdateId;
    nextUpdateId = Math.max(nextUpdateId, update_id) + 1;
    const update: TelegramUpdate = { ...input, update_id };
    updates.push(update);
    if (state.webhook) {
      deliver(update);
      return update;
    }
    queue.push(update);
    wakePollers();
    return update;
  }

  function sendStart({
    chatId,
    username,
    text = '/start',
    firstName = username,
  }: TelegramStartOptions): TelegramUpdate {
    const command = text.split(' ')[0] ?? text;
    const from = { id: chatId, is_bot: false, first_name: firstName, username, language_code: 'ru' };
    const chat = { id: chatId, first_name: firstName, username, type: 'private' };
    knownChats.set(String(chatId), chat);
    return pushUpdate({
      message: {
        message_id: nextMessageId++,
        from,
        chat,
        date: unixNow(),
        text,
        entities: command.startsWith('/') ? [{ offset: 0, length: command.length, type: 'bot_command' }] : [],
      },
    });
  }

  const app = await createApp();
  app.route({ method: ['GET', 'POST'], url: '/bot:token/:method', handler: handle });
  registerStartControl(app, sendStart);
  const url = await listenLocal(app, options.port);

  return {
    url,
    apiRoot: url,
    token,
    botUser,
    calls,
    requests,
    sent: sentLog.items,
    updates,
    get webhook() {
      return state.webhook;
    },
    webhookDeliveries,
    pushUpdate,
    sendStart,
    waitForMessage: (predicate, timeoutMs) => sentLog.waitFor(predicate, timeoutMs, 'Telegram sendMessage'),
    waitForCall: async (method, timeoutMs) => {
      await callLog.waitFor((m) => m === method, timeoutMs, `Telegram ${method} call`);
    },
    failNext: (n, failure) => failures.add(n, failure),
    blockChat: (chatId, isBlocked = true) => {
      if (isBlocked) blocked.add(String(chatId));
      else blocked.delete(String(chatId));
    },
    async close() {
      closing = true;
      // Held long polls answer at once (empty batch) so clients and the server can wind down.
      for (const poller of [...pollers]) poller.finish(ok([]));
      deliveryAbort.abort();
      await Promise.allSettled([...deliveries]);
      await app.close();
    },
  };
}

function defaultToken(): string {
  return `7000000001:AA${randomToken(33).slice(0, 33)}`;
}

function unixNow(): number {
  return Math.floor(Date.now() / 1000);
}

function objectOrEmpty(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};
}

/** Telegram accepts chat ids as numbers or numeric strings (and @usernames for channels). */
function normaliseChatId(value: unknown): number | string | undefined {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return undefined;
  return /^-?\d+$/.test(value) ? Number(value) : value;
}
