/**
 * Why a JWT was refused. Introspection answers only `{active: false}` (RFC 7662 §2.2 gives
 * no reason to the caller); the reason is for logs and tests.
 */
export type EnvelopeRefusal =
  | 'malformed'
  | 'forbidden_header'
  | 'unknown_kid'
  | 'alg_mismatch'
  | 'wrong_typ'
  | 'bad_signature'
  | 'bad_claims'
  | 'wrong_issuer'
  | 'expired'
  | 'issued_in_future';
