import t from 'tap';
import { decodeProtectedHeader } from 'jose';
import { ENVELOPE_TTL_S } from '../src/envelope/claims.js';
import { ACTIVATION_MARGIN_S, LONGEST_HS256_TOKEN_S, LONGEST_RS256_TOKEN_S } from '../src/keys/lifetimes.js';
import { createKeyRing } from '../src/keys/ring.js';
import {
  LONGEST_HMAC_TOKEN_LIFETIME_MS,
  LONGEST_TOKEN_LIFETIME_MS,
  RETIRE_AFTER_MS,
} from '../src/keys/service.js';
import { TOKEN_SETTINGS } from '../src/settings.js';
import { ALICE, ANDREJ, buildDomain, STAFF } from './fixtures/domain.js';

/**
 * `authctl keys rotate` keeps the old key verifying until every token it signed has expired:
 * the retire window derives from the longest lifetime any setting allows, and holds even for
 * the worst case — a token issued with each lifetime at its maximum, by a replica whose ring
 * switches to the new key as late as it can (keys sign only after every verifier can hold
 * them: SIGNING_KEYS_REFRESH_S plus a margin, seen at a reload every SIGNING_KEYS_REFRESH_S).
 */
const S = 1000;

t.test('the retire windows cover the longest token lifetime of each algorithm', async (t) => {
  t.equal(LONGEST_RS256_TOKEN_S, Math.max(ENVELOPE_TTL_S, TOKEN_SETTINGS.V2_TOKEN_TTL_S.max));
  t.equal(LONGEST_HS256_TOKEN_S, TOKEN_SETTINGS.ADMIN_REFRESH_TTL_S.max);
  const lag = 2 * TOKEN_SETTINGS.SIGNING_KEYS_REFRESH_S.max + ACTIVATION_MARGIN_S;
  t.ok(LONGEST_TOKEN_LIFETIME_MS > (LONGEST_RS256_TOKEN_S + lag) * S, 'RS256: lifetime + signing lag');
  t.ok(LONGEST_HMAC_TOKEN_LIFETIME_MS > (LONGEST_HS256_TOKEN_S + lag) * S, 'HS256: lifetime + signing lag');
  t.strictSame(RETIRE_AFTER_MS, { RS256: LONGEST_TOKEN_LIFETIME_MS, HS256: LONGEST_HMAC_TOKEN_LIFETIME_MS });
});

t.test('a rotated-in key is published at once and signs once every verifier can hold it', async (t) => {
  const d = await buildDomain({ activationDelayMs: 'ring default' }); // refreshMs 60 s
  const oldRs = d.keyRing.signing().kid;
  const oldHs = d.keyRing.hmacSigning().kid;
  const rs = await d.keys.rotate();
  const hs = await d.keys.rotate('HS256');
  d.clock.advance(1000);
  await d.keyRing.reload();
  t.ok(
    d.keyRing.publicJwks().some((k) => k.kid === rs.kid),
    'the new RS256 key is in the JWKS at the first reload',
  );
  t.equal((await d.keyRing.hmacVerifying(hs.kid))?.kid, hs.kid, 'the new HS256 key verifies');
  t.equal(d.keyRing.signing().kid, oldRs, 'the old RS256 key signs on');
  t.equal(d.keyRing.hmacSigning().kid, oldHs, 'the old HS256 key signs on');

  const fresh = await createKeyRing({ keys: d.keys, log: d.log, refreshMs: 60_000, now: d.clock.now });
  t.equal(fresh.signing().kid, oldRs, 'a replica starting now signs with the retiring key too');

  // Every replica re-read the keys within refreshMs of the rotation; then the margin.
  d.clock.advance(60_000 + ACTIVATION_MARGIN_S * S - 1000);
  await d.keyRing.reload();
  t.equal(d.keyRing.signing().kid, rs.kid, 'then the new RS256 key signs');
  t.equal(d.keyRing.hmacSigning().kid, hs.kid, 'and the new HS256 key');
  t.equal(decodeProtectedHeader((await d.envelope.issue(ALICE)).token).kid, rs.kid);
});

t.test('worst case: longest lifetimes, signed with the old keys as late as they can be', async (t) => {
  const refreshMs = TOKEN_SETTINGS.SIGNING_KEYS_REFRESH_S.max * S;
  const d = await buildDomain({
    v2TtlS: TOKEN_SETTINGS.V2_TOKEN_TTL_S.max,
    adminRefreshTtlS: TOKEN_SETTINGS.ADMIN_REFRESH_TTL_S.max,
    authzRefreshTtlS: TOKEN_SETTINGS.AUTHZ_REFRESH_TTL_S.max,
    keyRefreshMs: refreshMs,
    activationDelayMs: 'ring default',
  });
  const oldRs = d.keyRing.signing().kid;
  const oldHs = d.keyRing.hmacSigning().kid;
  const rotated = { rs: await d.keys.rotate(), hs: await d.keys.rotate('HS256') };
  // The ring reloads just before the new keys may sign (SIGNING_KEYS_REFRESH_S at its maximum,
  // plus the margin), and next one refresh later: the old keys sign until just before then.
  d.clock.advance(refreshMs + ACTIVATION_MARGIN_S * S - S);
  await d.keyRing.reload();
  d.clock.advance(refreshMs - S);

  const v2 = await d.v2.issue(ALICE);
  const envelope = await d.envelope.issue(ALICE);
  const admin = await d.adminTelegram.issue(STAFF);
  const pair = await d.authorization.issue(ANDREJ);
  t.equal(decodeProtectedHeader(v2.token).kid, oldRs, 'signed with the old RS256 key');
  t.equal(decodeProtectedHeader(admin.refresh_token).kid, oldHs, 'signed with the old HS256 key');
  d.clock.advance(S);
  await d.keyRing.reload();
  t.equal(d.keyRing.signing().kid, rotated.rs.kid);
  t.equal(d.keyRing.hmacSigning().kid, rotated.hs.kid);
  t.equal((await d.introspection.introspect(envelope.token)).active, true, 'envelope: old key verifies');

  const untilJustBefore = async (exp: number) => {
    d.clock.advance(exp * S - S - d.clock.now());
    await d.keyRing.reload();
  };
  await untilJustBefore(v2.claims.exp);
  t.equal(
    (await d.introspection.introspect(v2.token)).active,
    true,
    'v2 at its maximum lifetime: still verifies',
  );
  t.ok(
    d.keyRing.publicJwks().some((k) => k.kid === oldRs),
    'and the old key is still published',
  );

  const adminRefreshExp = (await d.introspection.introspect(admin.refresh_token)).exp!;
  const authzRefreshExp = (await d.introspection.introspect(pair.refresh)).exp!;
  await untilJustBefore(Math.min(adminRefreshExp, authzRefreshExp));
  t.equal(
    (await d.introspection.introspect(admin.refresh_token)).active,
    true,
    'admin-telegram refresh (30 days)',
  );
  t.equal((await d.introspection.introspect(pair.refresh)).active, true, 'authorization refresh (30 days)');
});
