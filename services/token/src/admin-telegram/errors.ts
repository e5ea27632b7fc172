/**
 * Why an admin-telegram JWT was refused. Callers see only `invalid_token` (RPC) or
 * `{active: false}` (RFC 7662 §2.2 gives no reason); the reason is for logs and tests.
 */
export type AdminTelegramRefusal =
  | 'malformed'
  | 'forbidden_header'
  | 'unknown_kid'
  | 'alg_mismatch'
  | 'wrong_typ'
  | 'bad_signature'
  | 'bad_claims'
  | 'expired';
