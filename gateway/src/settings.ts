import type { ConfigSpec, Env } from '@propusk/kit';
import type { ServiceName } from '@propusk/contracts';

/** Where the gateway finds each service's HTTP listener (a Kubernetes Service in production). */
function upstream(service: ServiceName, portVar: string, defaultPort: number) {
  return {
    kind: 'url',
    protocols: ['http', 'https'],
    default: (env: Env) => `http://127.0.0.1:${env[portVar] || defaultPort}`,
    doc: `${service} service base URL`,
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
} as const satisfies ConfigSpec;

export const UPSTREAM_VARS: Readonly<Record<ServiceName, keyof typeof GATEWAY_SETTINGS>> = {
  identity: 'IDENTITY_URL',
  verification: 'VERIFICATION_URL',
  federation: 'FEDERATION_URL',
  token: 'TOKEN_URL',
  notification: 'NOTIFICATION_URL',
};
