import { Type } from '@sinclair/typebox';
import { defineRpc } from './rpc.js';
import { FederatedProfile, FederationProviderSchema } from './identity.js';

/**
 * Reads a provider's user info with a provider access token and checks that the token was
 * issued to our client id (document 002 registration/login; DESIGN: "check the token was issued
 * to our client id"). Errors: provider_not_configured, provider_token_invalid,
 * provider_token_foreign, provider_unavailable, invalid_request.
 */
export const userInfo = defineRpc(
  'federation',
  'userInfo',
  Type.Object(
    {
      provider: FederationProviderSchema,
      accessToken: Type.String({ minLength: 1, maxLength: 4096 }),
    },
    { additionalProperties: false },
  ),
  Type.Object({ profile: FederatedProfile, clientId: Type.String() }),
);
