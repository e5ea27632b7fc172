/**
 * Why an authorization JWT was refused. Callers see `false` (/validate/jwt/access), a 401
 * (/validate/jwt/refresh, RPC `invalid_token`) or `{active: false}`; the reason is for logs and tests.
 */
export type AuthorizationRefusal =
  | 'malformed'
  | 'forbidden_header'
  | 'unknown_kid'
  | 'alg_mismatch'
  | 'wrong_typ'
  | 'bad_signature'
  | 'bad_claims'
  | 'expired';
