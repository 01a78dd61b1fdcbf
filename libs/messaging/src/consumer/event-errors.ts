/** A message that can never be processed as it is: it goes to the dead-letter topic at once. */
export class NonRetryableEventError extends Error {
  override readonly name: string = 'NonRetryableEventError';
}

/** The record is not a valid event of the catalogue (bad JSON, envelope or payload). */
export class InvalidEventError extends NonRetryableEventError {
  override readonly name = 'InvalidEventError';
}
