import unhomoglyph from 'unhomoglyph';
import { caseFold } from 'unicode-case-folding';

/**
 * The two keys an account's username is unique by (issue 15: `alice`, `Alice`, `аlice` with a
 * Cyrillic а and `ａlice` in fullwidth could all be registered). The username itself stays as
 * typed at registration, which is what the documents answer.
 *
 * Libraries, chosen from the npm registry (2026-12):
 * - Case folding: `unicode-case-folding`, full case folding (CaseFolding.txt statuses C and F,
 *   so `ß` folds to `ss`) generated from the current UCD: it folds Unicode 16's new capitals
 *   (U+1C89, U+A7DC), which `String.prototype.toLowerCase` does not replace (it is not folding:
 *   `ß`, final sigma and Cherokee stay apart). MIT, maintained (1.1.1, 2026-06).
 * - Confusables: `unhomoglyph` (nodeca, the maintainers of markdown-it; also what matrix-js-sdk
 *   uses to tell look-alike display names apart) maps every source of Unicode's confusables.txt to
 *   its prototype, which is the mapping step of the UTS #39 skeleton; the NFD around it is ours.
 *   Its data is confusables.txt 13.0.0 (2020): the other npm packages are older (10.0.0), not
 *   UTS #39 (`confusables` is an English-only list, `decancer` its own table in a native addon),
 *   or native bindings. Characters added in Unicode 14–17 have no mapping in it, so they count
 *   as themselves: a known limit (docs/SECURITY.md).
 */

/**
 * The username for lookups and uniqueness: compatibility caseless form (Unicode §3.13 D146,
 * NFKD(toCasefold(NFKD(toCasefold(NFD(X)))))), recomposed with NFKC to store it compactly, which
 * keeps equal exactly what D146 makes equal. Fullwidth `ａlice`, `Alice` and `ALICE` all give
 * `alice`; `Straße` gives `strasse`.
 */
export function normaliseUsername(typed: string): string {
  return caseFold(caseFold(typed.normalize('NFD')).normalize('NFKD')).normalize('NFKC');
}

/** UTS #39 §4 skeleton: NFD, every confusable replaced by its prototype, NFD again. */
export function skeleton(text: string): string {
  return unhomoglyph(text.normalize('NFD')).normalize('NFD');
}

/**
 * The username's confusable key: the skeleton of the username as typed (what others are shown),
 * case-folded, and the skeleton of that. Taken before the fold, it sees a capital `I` posing as
 * `l` (`aIice`: the fold would make it `aiice`); folded after, prototypes that differ only in
 * case collide (`Аlice` with a Cyrillic capital, whose prototype is `A`, with `alice`). So
 * `аlice` (Cyrillic а), `ａlice`, `aIice`, `Αlice` (Greek) all collide with `alice`. Names that
 * differ in case only (`ALICE`) may have other keys: the normalised form already refuses them.
 */
export function usernameSkeleton(typed: string): string {
  return skeleton(normaliseUsername(skeleton(typed)));
}

/** What an account row stores beside its username (schema.prisma `usernameNormalised`, `usernameSkeleton`). */
export interface UsernameKeys {
  usernameNormalised: string;
  usernameSkeleton: string;
}

export function usernameKeys(typed: string): UsernameKeys {
  return { usernameNormalised: normaliseUsername(typed), usernameSkeleton: usernameSkeleton(typed) };
}
