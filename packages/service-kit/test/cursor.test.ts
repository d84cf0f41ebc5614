import { AppError } from "@atlas/errors";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeCursor, encodeCursor } from "../src/cursor.ts";

const refused = (cursor: string) => {
  try {
    decodeCursor(cursor);
  } catch (error) {
    return error instanceof AppError && error.code === "VALIDATION_FAILED" && error.detail === "Invalid cursor";
  }
  return false;
};

describe("page cursors", () => {
  it("round-trips every text without control characters", () => {
    const text = fc.string({ unit: "grapheme", minLength: 1 }).filter((s) => !/\p{Cc}/u.test(s));
    fc.assert(fc.property(text, (s) => decodeCursor(encodeCursor(s)) === s));
    expect(decodeCursor(encodeCursor("2026-01-01T00:00:00.000Z|inv_1"))).toBe("2026-01-01T00:00:00.000Z|inv_1");
  });

  it("attack: forged cursors are a 400 VALIDATION_FAILED, never text the database refuses", () => {
    for (const cursor of [
      "", // empty
      "AAas!Z90-:", // outside the alphabet (a lenient decoder skips those and keeps a NUL)
      "YWJj=", // padding
      "YR", // "a" in a non-canonical spelling (the canonical one is YQ)
      "x".repeat(2049), // too long
      Buffer.from([0xff, 0xfe]).toString("base64url"), // not UTF-8
      encodeCursor("\u0000a"), // NUL
      encodeCursor("a\u001fb"), // control character
      encodeCursor("a\u007f"), // DEL
    ]) {
      expect(refused(cursor), JSON.stringify(cursor)).toBe(true);
    }
    expect(decodeCursor("YQ")).toBe("a");
  });
});
