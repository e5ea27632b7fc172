import { randomInt } from 'node:crypto';
import type { StandIns } from '@propusk/testkit';

/**
 * People signed in at the OAuth stand-ins. Each test makes someone new (own subject, e-mail
 * and phone), so accounts made by one test never collide with another's.
 */
export interface Person {
  subject: string;
  email: string;
  /** E.164 (`+79…`); Mail.ru gives no phone. */
  phone: string;
}

export type ProviderId = 'vk' | 'yandex' | 'mailru';

let counter = 0;

export function newPerson(tag = 'person'): Person {
  counter += 1;
  const n = `${randomInt(100, 1000)}${String(counter).padStart(4, '0')}`;
  return {
    subject: `${randomInt(1e6, 1e7)}${counter}`,
    email: `${tag}${n}@example.test`,
    phone: `+7999${n}`,
  };
}

/** The person becomes the one signed in at the provider: the next codes and tokens are theirs. */
export function signedInAt(standIns: StandIns, id: ProviderId, p: Person): void {
  switch (id) {
    case 'vk':
      // VK ID spells the phone without `+`.
      standIns.vk.setUser({ user_id: p.subject, email: p.email, phone: p.phone.slice(1) });
      return;
    case 'yandex':
      standIns.yandex.setUser({
        id: p.subject,
        default_email: p.email,
        default_phone: { id: 1, number: p.phone },
      });
      return;
    case 'mailru':
      standIns.mailru.setUser({ id: p.subject, email: p.email });
      return;
  }
}

/**
 * A provider access token minted for `clientId` (another application's by default), with the
 * person as its user: what a site the user once authorized could replay at us.
 */
export function foreignToken(
  standIns: StandIns,
  id: ProviderId,
  p: Person,
  clientId = 'another-app',
): string {
  const standIn = standIns[id];
  standIn.addClient({ clientId, clientSecret: 'another-secret' });
  signedInAt(standIns, id, p);
  return standIn.issueToken({ clientId }).accessToken;
}
