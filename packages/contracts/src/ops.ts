import { Type } from '@sinclair/typebox';
import { defineRpc } from './rpc.js';
import { SERVICE_NAMES, type ServiceName } from './services.js';

/**
 * Operations every service serves. `ping` answers when the service is connected to NATS
 * and can reach its own dependencies: the gateway's readiness asks each service.
 */
export const PingReply = Type.Object({
  service: Type.String(),
  instance: Type.String(),
  ready: Type.Boolean(),
  checks: Type.Record(Type.String(), Type.Boolean()),
});

function pingContract(service: ServiceName) {
  return defineRpc(service, 'ping', Type.Object({}, { additionalProperties: false }), PingReply);
}

export const ping = Object.freeze(
  Object.fromEntries(SERVICE_NAMES.map((s) => [s, pingContract(s)])) as {
    [S in ServiceName]: ReturnType<typeof pingContract>;
  },
);
