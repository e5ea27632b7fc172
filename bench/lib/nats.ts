import { Writable } from 'node:stream';
import { connectNats, createLogger, type NatsHandle } from '../../packages/kit/src/index.js';

/** The bench's own NATS connections log nothing (the suite's processes log for themselves). */
const silentLog = createLogger({
  service: 'bench',
  level: 'silent',
  destination: new Writable({ write: (_c, _e, cb) => cb() }),
});

export function connectBenchNats(url: string, name: string): Promise<NatsHandle> {
  return connectNats(url, name, silentLog);
}

/** The subject of the bare NATS hop (an echo responder in a process of its own). */
export function echoSubject(namespace: string): string {
  return `${namespace || 'propusk'}.bench.echo`;
}

/** About the size of an introspection answer for a drf token, so the bare hop carries as much. */
export const ECHO_REPLY = new TextEncoder().encode(
  JSON.stringify({
    active: true,
    sub: '00000000-0000-4000-8000-000000000000',
    username: 'bench-user',
    profile: 'drf',
    token_type: 'access',
    roles: [],
    jti: 'a'.repeat(43),
    iat: 1_700_000_000,
    exp: 1_700_000_000,
    iss: 'http://127.0.0.1:8080',
  }),
);
