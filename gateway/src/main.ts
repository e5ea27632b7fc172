import { runMain, startProcess } from '@propusk/kit';
import { setupGateway } from './app.js';

/** The gateway process: the only public listener. */
runMain(() =>
  startProcess({
    name: 'gateway',
    port: (config) => config.GATEWAY_PORT,
    useRedis: true,
    setup: (rt) => setupGateway(rt),
  }),
);
