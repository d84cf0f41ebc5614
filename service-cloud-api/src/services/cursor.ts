import { AppError } from "@atlas/errors";

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

export function encodeCursor(text: string): string {
  return Buffer.from(text, "utf8").toString("base64url");
}
