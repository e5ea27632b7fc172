export * from './suite.js';
export * from './ports.js';
