// The bare NATS hop: a responder that answers every request on the bench's echo subject with a
// fixed body the size of an introspection answer, in a process of its own (as the token service
// is). Usage: node --import tsx bench/nats-echo.ts <nats-url> <namespace>
import { connectBenchNats, ECHO_REPLY, echoSubject } from './lib/nats.js';

async function main(): Promise<void> {
  const [url = 'nats://127.0.0.1:4222', namespace = ''] = process.argv.slice(2);
  const nats = await connectBenchNats(url, 'bench-echo');
  nats.nc.subscribe(echoSubject(namespace), {
    callback: (err, msg) => {
      if (!err) msg.respond(ECHO_REPLY);
    },
  });
  await nats.nc.flush();
  process.send?.({ ready: true });
  const stop = () => void nats.drain().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
