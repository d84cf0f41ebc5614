/**
 * Thrown by a handler for an event that can never succeed (a payload that breaks its schema, a
 * reference to something that does not exist): the event is parked at once instead of retried.
 *
 * @example
 * if (!parsed.success) throw new PoisonEventError("payload breaks the invoice.finalized schema");
 */
export class PoisonEventError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "PoisonEventError";
  }
}

/** The text kept in `lastError`: the message only (no stack, bounded), never a payload. */
export function errorText(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.length > 1_000 ? `${text.slice(0, 1_000)}…` : text;
}
