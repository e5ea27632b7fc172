import { runMain, startProcess } from '@propusk/kit';

/** The notification service process: wiring only; capabilities live in their own folders. */
runMain(() =>
  startProcess({
    name: 'notification',
    port: (config) => config.NOTIFICATION_PORT,
    useRedis: false,
    async setup() {},
  }),
);
