// Identity's own normaliser, the one every profile's API uses (v2, authorization, federated
// sign-in): a phone given here is stored exactly as those APIs would store and look it up.
// Imported from its source because identity's package exports only `./domain`, which does not
// re-export it yet (a one-line export there would let this import '@propusk/identity/domain').
import { normaliseRussianMobile } from '../../../services/identity/src/accounts/contacts.js';

/** An E.164 number as stored (ITU-T E.164: `+`, country code, at most 15 digits). */
const E164 = /^\+[1-9]\d{7,14}$/;

/**
 * `--phone`: a Russian mobile number in any spelling the APIs accept (document 003: `+7 9XX…`,
 * `8 9XX…`, `7 9XX…`, with spaces, dashes or parentheses) becomes E.164 (`+79XXXXXXXXX`); any
 * other number must be E.164 already, as document 002's phone login takes it. Undefined: not a
 * phone number.
 */
export function normalisePhone(input: string): string | undefined {
  return normaliseRussianMobile(input) ?? (E164.test(input) ? input : undefined);
}
