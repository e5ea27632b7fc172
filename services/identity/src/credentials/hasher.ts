import argon2 from 'argon2';

/**
 * argon2id at OWASP's minimum (m=19 MiB, t=2, p=1; DESIGN "Security baseline"). Verifying an
 * unknown account runs the same work against a fixed dummy hash, so the answer time does not
 * tell a missing account from a wrong password.
 */
export const ARGON2_PARAMS = Object.freeze({
  type: argon2.argon2id,
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
});

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** `hash` undefined = unknown account: a dummy verify that always answers false. */
  verify(hash: string | undefined | null, password: string): Promise<boolean>;
}

export async function createPasswordHasher(params = ARGON2_PARAMS): Promise<PasswordHasher> {
  const dummy = await argon2.hash('propusk-dummy-password-for-timing', params);
  return {
    hash: (password) => argon2.hash(password, params),
    async verify(hash, password) {
      if (!hash) {
        await argon2.verify(dummy, password).catch(() => false);
        return false;
      }
      try {
        return await argon2.verify(hash, password);
      } catch {
        return false;
      }
    },
  };
}
