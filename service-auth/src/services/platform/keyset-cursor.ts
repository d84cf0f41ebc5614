import { AppError } from "@atlas/errors";
import { decodeCursor as decodeCursorText, encodeCursor as encodeCursorText } from "@atlas/service-kit";

/** A position in a newest-first list: the last item of a page. */
export interface KeysetCursor {
  createdAt: Date;
  id: string;
}

const CURSOR_ID = /^[0-9A-Za-z-]{1,64}$/;

/**
 * Opaque cursor: base64url of `<createdAt ISO>|<id>`. Lists keyed on (createdAt, id) instead of
 * offsets: rows inserted while a client pages (newer than its cursor) neither shift nor repeat
 * the items it has yet to see. The base64url layer is the shared strict codec of @atlas/service-kit.
 */
export function encodeCursor(cursor: KeysetCursor): string {
  return encodeCursorText(`${cursor.createdAt.toISOString()}|${cursor.id}`);
}

/** Decodes a cursor from {@link encodeCursor}; anything else is 400 VALIDATION_FAILED. */
export function decodeCursor(value: string): KeysetCursor {
  const invalid = () => new AppError("VALIDATION_FAILED", { detail: "Malformed cursor" });
  if (value.length > 200) throw invalid();
  let text: string;
  try {
    text = decodeCursorText(value);
  } catch {
    throw invalid();
  }
  const [iso, id, extra] = text.split("|");
  if (!iso || !id || extra !== undefined || !CURSOR_ID.test(id)) throw invalid();
  const createdAt = new Date(iso);
  if (Number.isNaN(createdAt.getTime()) || createdAt.toISOString() !== iso) throw invalid();
  return { createdAt, id };
}

/** The Prisma `where` fragment for "after this cursor" in (createdAt desc, id desc) order. */
export function afterCursor(cursor: KeysetCursor) {
  return { OR: [{ createdAt: { lt: cursor.createdAt } }, { createdAt: cursor.createdAt, id: { lt: cursor.id } }] };
}

/** Splits `limit + 1` rows into a page and the cursor of the next one. */
export function toPage<T extends KeysetCursor, R>(rows: T[], limit: number, map: (row: T) => R) {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items: items.map(map), nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
}
