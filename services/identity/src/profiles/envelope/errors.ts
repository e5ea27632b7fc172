import type { FastifyRequest } from 'fastify';
import type { LoginFailure } from '../../http/failure.js';
import { givenUsername } from '../../http/login-body.js';
import { envelopeError, type EnvelopeBody } from './presenter.js';

/**
 * Every login failure answers code 3001, the document's only login code; the message is the
 * document's "bad credentials" for wrong credentials and any bad input (malformed JSON too, so
 * existing clients see one failure text), and names the cause for failures it does not describe.
 */
function message(failure: LoginFailure): string {
  switch (failure.kind) {
    case 'bad_input':
    case 'malformed_json':
    case 'invalid_credentials':
      return 'bad credentials';
    case 'too_large':
      return 'request body too large';
    case 'unsupported_media_type':
      return 'unsupported content type';
    case 'throttled':
      return 'too many attempts';
    case 'unavailable':
      return 'service unavailable';
    case 'internal':
      return 'internal error';
  }
}

export function envelopeFailure(failure: LoginFailure, req: FastifyRequest): EnvelopeBody {
  return envelopeError(givenUsername(req.body), message(failure));
}
