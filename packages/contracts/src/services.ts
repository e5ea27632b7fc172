/** The five services behind the gateway. Each is its own process and NATS queue group. */
export const SERVICE_NAMES = ['identity', 'verification', 'federation', 'token', 'notification'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export function isServiceName(value: string): value is ServiceName {
  return (SERVICE_NAMES as readonly string[]).includes(value);
}
