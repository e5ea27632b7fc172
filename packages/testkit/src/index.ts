export * from './suite.js';
export * from './ports.js';
export * from './processes.js';
export * from './redis-keys.js';
