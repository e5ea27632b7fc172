// "The same proxied route with authentication off": the gateway's own main.ts, the whole of it
// (kit's HTTP bootstrap, rate limits, route table, proxies, upstream pools, key set, revocation
// events), with one module swapped by a module hook: its Authenticator, which here answers
// "verified" with a fixed identity at no cost (./authenticator.ts). The service behind it gets
// the very same identity headers and answers the very same 200: the only difference from the
// real gateway is the token check. Production code is untouched. Listens on GATEWAY_PORT.
import { register } from 'node:module';

register('./hooks.mjs', import.meta.url);
await import('../../gateway/src/main.js');
