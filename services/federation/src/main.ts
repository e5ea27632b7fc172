import { runMain, startProcess } from '@propusk/kit';

/** The federation service process: wiring only; capabilities live in their own folders. */
runMain(() =>
  startProcess({
    name: 'federation',
    port: (config) => config.FEDERATION_PORT,
    useRedis: true,
    async setup() {},
  }),
);
