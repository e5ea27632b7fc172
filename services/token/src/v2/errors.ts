/**
 * Why a v2 JWT was refused. Callers see `{active: false}` (RFC 7662 §2.2 gives no reason) or
 * the profile's 401; the reason is for logs and tests.
 */
export type V2Refusal =
  | 'malformed'
  | 'forbidden_header'
  | 'unknown_kid'
  | 'alg_mismatch'
  | 'wrong_typ'
  | 'bad_signature'
  | 'bad_claims'
  | 'wrong_issuer'
  | 'wrong_audience'
  | 'expired'
  | 'issued_in_future';
