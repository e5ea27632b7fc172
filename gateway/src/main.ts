import { loadConfig, runMain, startProcess } from '@propusk/kit';
import { setupGateway } from './app.js';
import { GATEWAY_SETTINGS } from './settings.js';
import { trustedProxies } from './trusted-proxies.js';

/** The gateway process: the only public listener. Its settings are checked before anything connects. */
runMain(async () => {
  const config = loadConfig(GATEWAY_SETTINGS);
  return startProcess({
    name: 'gateway',
    port: (core) => core.GATEWAY_PORT,
    useRedis: true,
    trustProxy: trustedProxies(config.TRUSTED_PROXIES),
    setup: (rt) => setupGateway(rt, config),
  });
});
