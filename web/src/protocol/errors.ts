// A failed request, with the protocol's stable error code.
export class ParleyError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = 'ParleyError';
  }
}
