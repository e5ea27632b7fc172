import { runMain, startProcess } from '@propusk/kit';

/** The verification service process: wiring only; capabilities live in their own folders. */
runMain(() =>
  startProcess({
    name: 'verification',
    port: (config) => config.VERIFICATION_PORT,
    useRedis: true,
    async setup() {},
  }),
);
