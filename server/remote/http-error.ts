/** A receiver's refusal of a request, answered as `{ "error": message }` with `status`. */
export class HttpError extends Error {
  override name = 'HttpError'
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
  }
}
