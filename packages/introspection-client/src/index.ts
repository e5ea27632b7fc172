export {
  createIntrospectionClient,
  type CallOptions,
  type IntrospectionClient,
  type IntrospectionClientOptions,
} from './client.js';
// What callers need to read answers and errors without importing contracts themselves.
export { IntrospectionResult, isPropuskError, PropuskError } from '@propusk/contracts';
