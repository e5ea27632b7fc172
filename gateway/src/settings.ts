import type { ConfigOf, ConfigSpec, Env } from '@propusk/kit';
import type { ServiceName } from '@propusk/contracts';

/**
 * Where the gateway finds each service's HTTP listener: one base URL, or one per replica
 * separated by commas (requests go round-robin; upstreams.ts). In Kubernetes one Service URL
 * per service is the usual value: the Service spreads the load over the pods.
 */
function upstream(service: ServiceName, portVar: string, defaultPort: number) {
  return {
    kind: 'url-list',
    protocols: ['http', 'https'],
    default: (env: Env) => `http://127.0.0.1:${env[portVar] || defaultPort}`,
    doc: `${service} service base URL, or a comma-separated list with one per replica`,
  } as const;
}

export const GATEWAY_SETTINGS = {
  IDENTITY_URL: upstream('identity', 'IDENTITY_PORT', 8081),
  VERIFICATION_URL: upstream('verification', 'VERIFICATION_PORT', 8082),
  FEDERATION_URL: upstream('federation', 'FEDERATION_PORT', 8083),
  TOKEN_URL: upstream('token', 'TOKEN_PORT', 8084),
  NOTIFICATION_URL: upstream('notification', 'NOTIFICATION_PORT', 8085),
  // The same variable the token service signs with: the gateway checks the `iss` it sets.
  ENVELOPE_ISSUER: {
    kind: 'string',
    pattern: /^[\x21-\x7e]{1,256}$/,
    default: 'digeocache',
    doc: 'the `iss` claim of envelope (document 001) JWTs; the document shows `digeocache`',
  },
  // The token service's variable of the same name; unset there and here means PUBLIC_BASE_URL.
  V2_ISSUER: {
    kind: 'string',
    pattern: /^[\x21-\x7e]{1,256}$/,
    doc: 'the `iss` claim of v2 (document 003) JWTs; default PUBLIC_BASE_URL',
  },
  // Per-IP request budgets (rate-limit/): every routed request, and the credential routes.
  RATE_LIMIT_PER_IP: {
    kind: 'int',
    min: 1,
    max: 10_000_000,
    default: 600,
    doc: 'requests one client IP (IPv6: per /64) may send to routed paths in one window; then 429',
  },
  RATE_LIMIT_CREDENTIALS_PER_IP: {
    kind: 'int',
    min: 1,
    max: 10_000_000,
    default: 30,
    doc: 'requests one client IP may send in one window to logins, registrations, code requests and submissions, refreshes',
  },
  RATE_LIMIT_WINDOW_S: {
    kind: 'int',
    min: 1,
    max: 3600,
    default: 60,
    doc: 'length in seconds of the rate-limit window, from the first request counted in it',
  },
  // Browsers calling from other origins (document 000's admin panel, the front end that opens
  // `/vk/link`): exact origins, checked as such in cors.ts. Unset: no CORS headers at all.
  CORS_ORIGINS: {
    kind: 'url-list',
    protocols: ['http', 'https'],
    doc: 'comma-separated exact origins (scheme://host[:port]) whose browser calls may read the answers, with credentials; default none',
  },
  // The proxies in front of the gateway, whose X-Forwarded-For names the client (trusted-proxies.ts
  // checks each entry). Unset: none; the socket's address is the client.
  TRUSTED_PROXIES: {
    kind: 'string',
    pattern: /^[0-9A-Fa-f.:/, ]{1,4096}$/,
    doc: 'comma-separated addresses and CIDRs of the proxies in front of the gateway; default none',
  },
  // The header those proxies name the client in (forwarded.ts): one or the other, never both.
  FORWARDED_HEADER: {
    kind: 'enum',
    values: ['x-forwarded-for', 'forwarded'],
    default: 'x-forwarded-for',
    doc: 'the header TRUSTED_PROXIES name the client in: x-forwarded-for, or forwarded (RFC 7239 for=); the other is ignored',
  },
} as const satisfies ConfigSpec;

export type GatewayConfig = ConfigOf<typeof GATEWAY_SETTINGS>;

export const UPSTREAM_VARS: Readonly<Record<ServiceName, keyof typeof GATEWAY_SETTINGS>> = {
  identity: 'IDENTITY_URL',
  verification: 'VERIFICATION_URL',
  federation: 'FEDERATION_URL',
  token: 'TOKEN_URL',
  notification: 'NOTIFICATION_URL',
};
