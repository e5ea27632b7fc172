// Module hooks of the "auth off" gateway (bench/noauth/main.ts): the gateway's authenticator
// module resolves to the bench's constant one (./authenticator.ts); every other module is the
// gateway's own.
const STUB = new URL('./authenticator.ts', import.meta.url).href;
const AUTHENTICATOR = /\/gateway\/src\/auth\/authenticator\.[jt]s$/;

export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  return AUTHENTICATOR.test(resolved.url) ? { ...resolved, url: STUB } : resolved;
}
