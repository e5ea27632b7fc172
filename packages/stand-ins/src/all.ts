import { startMailruStandIn, type MailruStandIn } from './mailru.js';
import { startSmtpSink, type SmtpSink } from './smtp.js';
import { startTelegramStandIn, type TelegramStandIn } from './telegram.js';
import { startTwilioStandIn, type TwilioStandIn } from './twilio.js';
import { startVkStandIn, type VkStandIn } from './vk.js';
import { startYandexStandIn, type YandexStandIn } from './yandex.js';

/** The Propusk environment variables that point the services at the stand-ins. */
export interface StandInEnv {
  TELEGRAM_BOT_TOKEN: string;
  TELEGRAM_API_ROOT: string;
  TWILIO_ACCOUNT_SID: string;
  TWILIO_AUTH_TOKEN: string;
  TWILIO_FROM: string;
  TWILIO_API_BASE: string;
  SMTP_URL: string;
  MAIL_FROM: string;
  VK_CLIENT_ID: string;
  VK_ID_BASE_URL: string;
  YANDEX_CLIENT_ID: string;
  YANDEX_CLIENT_SECRET: string;
  YANDEX_OAUTH_BASE_URL: string;
  YANDEX_LOGIN_BASE_URL: string;
  MAILRU_CLIENT_ID: string;
  MAILRU_CLIENT_SECRET: string;
  MAILRU_OAUTH_BASE_URL: string;
}

export interface AllStandIns {
  telegram: TelegramStandIn;
  twilio: TwilioStandIn;
  smtp: SmtpSink;
  vk: VkStandIn;
  yandex: YandexStandIn;
  mailru: MailruStandIn;
  env: StandInEnv;
  closeAll(): Promise<void>;
}

const MAIL_FROM = 'Propusk <no-reply@propusk.test>';

export interface AllStandInsOptions {
  /**
   * Fixed ports from here on: Telegram base+1, Twilio +2, SMTP +3, VK ID +4, Yandex +5,
   * Mail.ru +6 (`npm start -- --stand-ins`, so `authctl dev telegram-start` finds Telegram).
   * Absent: free ports (tests).
   */
  basePort?: number;
}

/** Ports of each stand-in from a base port (AllStandInsOptions.basePort). */
export function standInPorts(basePort: number) {
  return {
    telegram: basePort + 1,
    twilio: basePort + 2,
    smtp: basePort + 3,
    vk: basePort + 4,
    yandex: basePort + 5,
    mailru: basePort + 6,
  };
}

export async function startAllStandIns(options: AllStandInsOptions = {}): Promise<AllStandIns> {
  const ports = options.basePort === undefined ? undefined : standInPorts(options.basePort);
  const started = await Promise.allSettled([
    startTelegramStandIn({ port: ports?.telegram }),
    startTwilioStandIn({ port: ports?.twilio }),
    startSmtpSink({ port: ports?.smtp }),
    startVkStandIn({ port: ports?.vk }),
    startYandexStandIn({ port: ports?.yandex }),
    startMailruStandIn({ port: ports?.mailru }),
  ] as const);
  const closers = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const closeAll = async (): Promise<void> => {
    await Promise.allSettled(closers.map((standIn) => standIn.close()));
  };
  const failed = started.find((result) => result.status === 'rejected');
  if (failed) {
    // Do not leave half a set of listeners behind when one of them cannot start.
    await closeAll();
    throw failed.reason;
  }
  const [telegram, twilio, smtp, vk, yandex, mailru] = started.map(
    (r) => (r as PromiseFulfilledResult<unknown>).value,
  ) as [TelegramStandIn, TwilioStandIn, SmtpSink, VkStandIn, YandexStandIn, MailruStandIn];
  const env: StandInEnv = {
    TELEGRAM_BOT_TOKEN: telegram.token,
    TELEGRAM_API_ROOT: telegram.apiRoot,
    TWILIO_ACCOUNT_SID: twilio.accountSid,
    TWILIO_AUTH_TOKEN: twilio.authToken,
    TWILIO_FROM: twilio.from,
    TWILIO_API_BASE: twilio.url,
    SMTP_URL: smtp.url,
    MAIL_FROM,
    VK_CLIENT_ID: vk.clientId,
    VK_ID_BASE_URL: vk.url,
    YANDEX_CLIENT_ID: yandex.clientId,
    YANDEX_CLIENT_SECRET: yandex.clientSecret,
    YANDEX_OAUTH_BASE_URL: yandex.oauthBaseUrl,
    YANDEX_LOGIN_BASE_URL: yandex.loginBaseUrl,
    MAILRU_CLIENT_ID: mailru.clientId,
    MAILRU_CLIENT_SECRET: mailru.clientSecret,
    MAILRU_OAUTH_BASE_URL: mailru.url,
  };
  return { telegram, twilio, smtp, vk, yandex, mailru, env, closeAll };
}
