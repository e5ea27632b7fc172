// Which address the per-IP throttle counts: the last x-forwarded-for hop (set by the gateway).
import t from 'tap';
import type { FastifyRequest } from 'fastify';
import { clientIp } from '../src/client-ip.js';

function req(xff: string | string[] | undefined, socket = '127.0.0.1'): FastifyRequest {
  return {
    headers: xff === undefined ? {} : { 'x-forwarded-for': xff },
    socket: { remoteAddress: socket },
  } as unknown as FastifyRequest;
}

t.test('the last hop of x-forwarded-for, else the socket peer', async (t) => {
  t.equal(clientIp(req('192.0.2.1')), '192.0.2.1');
  t.equal(clientIp(req('203.0.113.9, 192.0.2.1')), '192.0.2.1', 'entries a client wrote are ignored');
  t.equal(clientIp(req('203.0.113.9,2001:db8::1')), '2001:db8::1');
  t.equal(clientIp(req(['203.0.113.9', '192.0.2.7'])), '192.0.2.7', 'repeated headers: the last');
  t.equal(clientIp(req(undefined, '198.51.100.2')), '198.51.100.2');
  t.equal(
    clientIp(req('192.0.2.1, not-an-ip', '127.0.0.1')),
    '127.0.0.1',
    'an unusable last hop falls back to the peer',
  );
  t.equal(clientIp(req('', '127.0.0.1')), '127.0.0.1');
});
