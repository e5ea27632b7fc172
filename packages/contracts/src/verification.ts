import { Type, type Static } from '@sinclair/typebox';
import { defineRpc } from './rpc.js';
import { ChannelIdSchema } from './notification.js';

/**
 * One-time codes (DESIGN: services/verification). A code is bound to its purpose and its
 * subject: a code issued for one purpose or subject never completes another. The policy of
 * each purpose (lifetime, resend cooldown, wrong attempts, how it is looked up, the message
 * text) is the verification service's own (services/verification/src/codes/purposes.ts).
 *
 * - `admin-registration` (document 000): 30 minutes; step two sends only `{code}`, so the code
 *   itself identifies its subject (`check` without `subject`).
 * - `v2-verification`, `v2-login`, `v2-recovery` (document 003): 10 minutes, checked with the
 *   subject (the e-mail or phone the code went to).
 */
export const CODE_PURPOSES = ['admin-registration', 'v2-verification', 'v2-login', 'v2-recovery'] as const;
export type CodePurpose = (typeof CODE_PURPOSES)[number];
export const CodePurposeSchema = Type.Union(CODE_PURPOSES.map((p) => Type.Literal(p)));

/**
 * Issues a code and queues its message durably (answers only after JetStream acknowledged
 * it). A new code replaces the subject's previous one of the same purpose; the wrong-attempt
 * count carries over (DESIGN: "bounded attempts across resends").
 *
 * Errors: `code_resend_too_soon` (429, details.retryAfter seconds) inside the resend cooldown;
 * `code_send_limited` (429, details.retryAfter) past the per-destination or per-IP hourly limit;
 * `code_attempts_limited` (429, details.retryAfter) while the subject's wrong tries are used up
 * (a resend would send a dead code);
 * `unavailable` (503) when Redis or JetStream cannot take it (fail closed).
 */
export const issue = defineRpc(
  'verification',
  'issue',
  Type.Object(
    {
      purpose: CodePurposeSchema,
      /**
       * Who or what the code proves: `<telegram username>:<pending registration id>` (000: each
       * code finishes the registration it was requested with, while no newer request of the
       * username superseded it) or the normalised login, e.g. `+79161234567` (003). 000's message
       * names the request's time and `ip`, so the chat's owner can tell his request from another's.
       */
      subject: Type.String({ minLength: 1, maxLength: 320 }),
      channel: ChannelIdSchema,
      /** Where the message goes: Telegram chat id, E.164 phone or e-mail address. */
      to: Type.String({ minLength: 1, maxLength: 320 }),
      ip: Type.Optional(Type.String({ maxLength: 64 })),
    },
    { additionalProperties: false },
  ),
  Type.Object({
    /** Seconds until the code expires. */
    expiresIn: Type.Integer({ minimum: 1 }),
    /** Seconds until a new code may be requested (document 003's `data.timeout`). */
    resendAfter: Type.Integer({ minimum: 0 }),
  }),
);

/**
 * Checks a code and consumes it: exactly one concurrent check of a right code succeeds.
 * Without `subject` (purpose `admin-registration`), the code is looked up among the purpose's
 * live codes.
 *
 * Errors: `code_invalid` (400) for a wrong, expired, used or dead code (one answer, so nothing
 * tells them apart); `code_attempts_limited` (429, details.retryAfter) when this IP, or the
 * purpose as a whole for code-only lookups, made too many wrong tries.
 */
export const check = defineRpc(
  'verification',
  'check',
  Type.Object(
    {
      purpose: CodePurposeSchema,
      code: Type.String({ pattern: '^[0-9]{6}$' }),
      subject: Type.Optional(Type.String({ minLength: 1, maxLength: 320 })),
      ip: Type.Optional(Type.String({ maxLength: 64 })),
    },
    { additionalProperties: false },
  ),
  Type.Object({ subject: Type.String() }),
);

export type IssueRequest = Static<typeof issue.request>;
export type CheckRequest = Static<typeof check.request>;
