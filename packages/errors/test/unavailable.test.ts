import { describe, expect, it } from "vitest";
import { AppError, isDependencyUnavailable, toAppError } from "../src/index.ts";

const sysError = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:5432`), { code });
const pgError = (code: string, message: string) => Object.assign(new Error(message), { code, severity: "FATAL" });

describe("dependency unavailable → 503", () => {
  it("recognises a lost database however it is wrapped", () => {
    const shapes: unknown[] = [
      sysError("ECONNREFUSED"),
      sysError("ECONNRESET"),
      pgError("57P01", "terminating connection due to administrator command"),
      pgError("57P03", "the database system is starting up"),
      pgError("08006", "connection failure"),
      new Error("Connection terminated unexpectedly"),
      new Error("timeout exceeded when trying to connect"),
      new Error("Client has encountered a connection error and is not queryable"),
      // Prisma 7 through a driver adapter.
      Object.assign(new Error("Invalid `prisma.session.findUnique()` invocation"), {
        code: "P2010",
        meta: { driverAdapterError: { name: "DriverAdapterError", cause: { kind: "postgres", code: "57P01" } } },
      }),
      Object.assign(new Error("Can't reach database server"), { code: "P1001" }),
      { kind: "DatabaseNotReachable" },
      new Error("fetch failed", { cause: sysError("ECONNREFUSED") }),
      new AggregateError([sysError("ECONNREFUSED"), sysError("ECONNREFUSED")], "connect"),
    ];
    for (const error of shapes) expect(isDependencyUnavailable(error)).toBe(true);
  });

  it("leaves programming and data errors alone", () => {
    const shapes: unknown[] = [
      new Error("boom"),
      new TypeError("undefined is not a function"),
      pgError("23505", "duplicate key value violates unique constraint"),
      pgError("42P01", 'relation "x" does not exist'),
      Object.assign(new Error("Unique constraint failed"), { code: "P2002" }),
      { kind: "postgres", code: "22P02" },
      null,
      "ECONNREFUSED",
    ];
    for (const error of shapes) expect(isDependencyUnavailable(error)).toBe(false);
  });

  it("toAppError answers 503 SERVICE_UNAVAILABLE with Retry-After, keeping the cause out of the detail", () => {
    const cause = pgError("57P01", "terminating connection due to administrator command");
    const e = toAppError(cause);
    expect(e).toBeInstanceOf(AppError);
    expect(e).toMatchObject({ code: "SERVICE_UNAVAILABLE", status: 503 });
    expect(e.headers["Retry-After"]).toMatch(/^\d+$/);
    expect(e.detail).not.toContain("terminating");
    expect(e.cause).toBe(cause);
    expect(toAppError(new Error("boom")).code).toBe("INTERNAL");
  });
});
