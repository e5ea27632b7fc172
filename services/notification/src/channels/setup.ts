import type { ChannelId } from '@propusk/contracts';
import { ConfigError, type Logger, type RedisClient } from '@propusk/kit';
import type { NotificationSettings } from '../settings.js';
import type { Channel } from './channel.js';
import { createDevOutboxChannel } from './dev-outbox.js';
import { createEmailChannel } from './email.js';
import { createSmsChannel } from './sms.js';
import { createTelegramChannel } from './telegram.js';

/** The variables each channel needs; all of a channel's or none of them. */
export const CHANNEL_VARIABLES = {
  telegram: ['TELEGRAM_BOT_TOKEN'],
  sms: ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'TWILIO_FROM'],
  email: ['SMTP_URL', 'MAIL_FROM'],
} as const satisfies Record<ChannelId, readonly (keyof NotificationSettings)[]>;

export type ChannelMode = 'provider' | 'dev-outbox';
export type ChannelPlan = Readonly<Record<ChannelId, ChannelMode>>;

/**
 * Decides per channel whether it talks to its provider or to the dev outbox, before anything
 * connects. Half a channel's credentials is a mistake everywhere; no credentials is the dev
 * outbox outside production and a stop in production (DESIGN, "Configuration"), naming every
 * missing variable at once.
 */
export function planChannels(settings: NotificationSettings, nodeEnv: string): ChannelPlan {
  const plan: Partial<Record<ChannelId, ChannelMode>> = {};
  const missingInProduction: string[] = [];
  for (const [channel, variables] of Object.entries(CHANNEL_VARIABLES) as [ChannelId, readonly string[]][]) {
    const missing = variables.filter((v) => settings[v as keyof NotificationSettings] === undefined);
    if (missing.length === 0) {
      plan[channel] = 'provider';
    } else if (missing.length < variables.length) {
      throw new ConfigError(
        missing.join(', '),
        `must be set too: channel ${channel} is configured only in part`,
      );
    } else if (nodeEnv === 'production') {
      missingInProduction.push(...missing);
    } else {
      plan[channel] = 'dev-outbox';
    }
  }
  if (missingInProduction.length > 0) {
    throw new ConfigError(
      missingInProduction.join(', '),
      'must be set in production (a channel without credentials would only write to the dev outbox)',
    );
  }
  return plan as ChannelPlan;
}

export interface ChannelDeps {
  settings: NotificationSettings;
  plan: ChannelPlan;
  redis: RedisClient;
  log: Logger;
}

/** Builds the channels the plan asks for. */
export function createChannels({ settings: s, plan, redis, log }: ChannelDeps): Channel[] {
  const dev = (channel: ChannelId) =>
    createDevOutboxChannel({ channel, redis, log, size: s.DEV_OUTBOX_SIZE });
  const timeoutMs = s.NOTIFY_SEND_TIMEOUT_MS;
  return [
    plan.telegram === 'provider' && s.TELEGRAM_BOT_TOKEN
      ? createTelegramChannel({ token: s.TELEGRAM_BOT_TOKEN, apiRoot: s.TELEGRAM_API_ROOT, timeoutMs })
      : dev('telegram'),
    plan.sms === 'provider' && s.TWILIO_ACCOUNT_SID && s.TWILIO_AUTH_TOKEN && s.TWILIO_FROM
      ? createSmsChannel({
          accountSid: s.TWILIO_ACCOUNT_SID,
          authToken: s.TWILIO_AUTH_TOKEN,
          from: s.TWILIO_FROM,
          apiBase: s.TWILIO_API_BASE,
          timeoutMs,
        })
      : dev('sms'),
    plan.email === 'provider' && s.SMTP_URL && s.MAIL_FROM
      ? createEmailChannel({
          url: s.SMTP_URL,
          from: s.MAIL_FROM,
          timeoutMs,
          maxConnections: s.NOTIFY_CONCURRENCY,
        })
      : dev('email'),
  ];
}
