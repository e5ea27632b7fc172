/** Errors of the drf capability, before any transport maps them. */
export class DrfTokenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DrfTokenError';
  }
}
