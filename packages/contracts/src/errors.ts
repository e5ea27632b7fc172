import type { ServiceName } from './services.js';

/**
 * Error codes of every service: stable snake_case codes with their HTTP status.
 * A code travels over NATS as `{ code, description }` and is rebuilt as a typed
 * `PropuskError` on the caller's side, status included.
 */
export interface ErrorSpec {
  readonly status: number;
  readonly description: string;
}

/** Codes any service may answer: transport and validation failures. */
export const COMMON_ERRORS = {
  invalid_request: { status: 400, description: 'The request does not match its schema.' },
  invalid_reply: {
    status: 502,
    description: 'A service answered with a reply that does not match its schema.',
  },
  not_found: { status: 404, description: 'No such operation.' },
  timeout: { status: 504, description: 'The service did not answer in time.' },
  unavailable: { status: 503, description: 'The service or one of its dependencies is unavailable.' },
  internal: { status: 500, description: 'An unexpected error; details are in the service log.' },
} as const satisfies Record<string, ErrorSpec>;

/** Per-service codes. Each service adds its own as its features land. */
export const SERVICE_ERRORS = {
  identity: {
    invalid_credentials: { status: 401, description: 'Wrong login or password.' },
    too_many_attempts: {
      status: 429,
      description: 'Too many failed attempts; retry later (details.retryAfter seconds).',
    },
    account_not_found: { status: 404, description: 'No such account.' },
    password_rejected: {
      status: 400,
      description: 'The password breaks the policy (8–128 characters, not a common password).',
    },
    not_on_allowlist: { status: 403, description: 'The Telegram username is not on the staff allowlist.' },
    telegram_chat_missing: {
      status: 409,
      description: 'No Telegram chat is recorded for the username yet: press /start in the bot first.',
    },
    already_registered: { status: 409, description: 'An account with this username already exists.' },
    email_taken: { status: 409, description: 'An account with this e-mail address already exists.' },
    phone_taken: { status: 409, description: 'An account with this phone number already exists.' },
    email_not_found: { status: 404, description: 'No account with this e-mail address.' },
    phone_not_found: { status: 404, description: 'No account with this phone number.' },
    recovery_not_granted: {
      status: 403,
      description: 'Setting a new password needs a token signed in by a password-recovery code.',
    },
    federated_identity_exists: {
      status: 409,
      description: 'This provider account is registered already: sign in instead.',
    },
    federated_identity_unknown: {
      status: 404,
      description: 'No account is registered with this provider account.',
    },
    registration_expired: {
      status: 400,
      description: 'The pending registration for this code is gone (expired or completed).',
    },
  },
  verification: {
    code_invalid: { status: 400, description: 'Wrong, expired or already used code.' },
    code_resend_too_soon: {
      status: 429,
      description: 'A code was sent moments ago; retry after details.retryAfter seconds.',
    },
    code_send_limited: {
      status: 429,
      description:
        'Too many codes sent to this destination or from this IP; retry after details.retryAfter seconds.',
    },
    code_attempts_limited: {
      status: 429,
      description: 'Too many wrong codes; retry after details.retryAfter seconds.',
    },
  },
  federation: {
    provider_not_configured: { status: 404, description: 'This sign-in provider is not configured.' },
    oauth_state_invalid: { status: 400, description: 'Unknown, expired or already used OAuth state.' },
    oauth_code_invalid: { status: 400, description: 'Unknown, expired or already used authorization code.' },
    provider_denied: { status: 400, description: 'The provider reported an error for the sign-in.' },
    provider_code_rejected: { status: 400, description: 'The provider refused the authorization code.' },
    provider_token_invalid: { status: 401, description: 'The provider refused the access token.' },
    provider_token_foreign: {
      status: 401,
      description: 'The provider access token was issued to another client.',
    },
    provider_unavailable: {
      status: 502,
      description: 'The provider failed to answer (timeout, 5xx or an unusable body).',
    },
  },
  token: {
    invalid_token: { status: 401, description: 'The token is missing, malformed, expired or revoked.' },
    refresh_reused: {
      status: 401,
      description: 'A refresh token was used twice: its whole family of sessions is revoked.',
    },
  },
  notification: {},
} as const satisfies Record<ServiceName, Record<string, ErrorSpec>>;

type ServiceErrorCode = { [S in ServiceName]: keyof (typeof SERVICE_ERRORS)[S] }[ServiceName];
export type ErrorCode = keyof typeof COMMON_ERRORS | Extract<ServiceErrorCode, string>;

const ALL_ERRORS: Readonly<Record<string, ErrorSpec>> = Object.freeze(
  Object.assign({}, COMMON_ERRORS, ...Object.values(SERVICE_ERRORS)),
);

export function errorSpec(code: string): ErrorSpec | undefined {
  return Object.prototype.hasOwnProperty.call(ALL_ERRORS, code) ? ALL_ERRORS[code] : undefined;
}

/** Every code known to the suite, for the test that keeps docs/errors.md in sync. */
export function allErrorCodes(): string[] {
  return Object.keys(ALL_ERRORS).sort();
}

/** The one error base of the suite. `code` is stable; `description` is for humans. */
export class PropuskError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: ErrorCode, description?: string, details?: Record<string, unknown>) {
    const spec = errorSpec(code) ?? COMMON_ERRORS.internal;
    super(description ?? spec.description);
    this.name = 'PropuskError';
    this.code = code;
    this.status = spec.status;
    this.details = details ? Object.freeze({ ...details }) : undefined;
  }

  toWire(): WireError {
    return { code: this.code, description: this.message, ...(this.details ? { details: this.details } : {}) };
  }
}

export interface WireError {
  code: string;
  description: string;
  details?: Readonly<Record<string, unknown>>;
}

/** Rebuilds a typed error from its wire form; an unknown code becomes `internal`. */
export function errorFromWire(wire: WireError): PropuskError {
  const code = errorSpec(wire.code) ? (wire.code as ErrorCode) : 'internal';
  return new PropuskError(code, wire.description, wire.details as Record<string, unknown> | undefined);
}

export function isPropuskError(err: unknown): err is PropuskError {
  return err instanceof PropuskError;
}
