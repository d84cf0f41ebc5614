import { AppError } from "@atlas/errors";

// The page cursors of every Atlas list (api.md "Lists"): opaque base64url text that a service
// writes into `nextCursor` and reads back from `?cursor=`. What the text holds (a sort key and an
// id) is the service's business; this codec only makes sure it is text the service could have
// written.

/**
 * The text inside a page cursor (base64url). Strict: only the base64url alphabet, the canonical
 * encoding of what it decodes to, valid UTF-8 and no control characters — so a forged cursor is a
 * 400, never text that PostgreSQL refuses (a NUL byte) or a value the service never issued.
 */
export function decodeCursor(cursor: string): string {
  const invalid = () => new AppError("VALIDATION_FAILED", { detail: "Invalid cursor" });
  if (!/^[A-Za-z0-9_-]{1,2048}$/.test(cursor)) throw invalid();
  const bytes = Buffer.from(cursor, "base64url");
  if (bytes.toString("base64url") !== cursor) throw invalid();
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw invalid();
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
  if (text === "" || /[\u0000-\u001f\u007f]/.test(text)) throw invalid();
  return text;
}

/**
 * The cursor of `text` (base64url of its UTF-8 bytes), which {@link decodeCursor} reads back.
 *
 * @example
 * const next = encodeCursor(`${last.createdAt.toISOString()}|${last.id}`);
 * const [at, id] = decodeCursor(next).split("|");
 */
export function encodeCursor(text: string): string {
  return Buffer.from(text, "utf8").toString("base64url");
}
