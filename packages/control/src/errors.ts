/** A refusal the caller can act on: the HTTP status it answers with, what to do, and details for programs. */
export class PlaneError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 422 | 429 | 504,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}
