import { HTTPException } from "hono/http-exception";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { AppError, ERROR_CODES, problemDocument, toAppError } from "../src/index.ts";

describe("AppError and problem documents", () => {
  it("derives status and title from the stable code", () => {
    const e = new AppError("RATE_LIMITED", { headers: { "Retry-After": "3" } });
    expect(e.status).toBe(429);
    expect(e.detail).toBe(ERROR_CODES.RATE_LIMITED.title);
    expect(e.headers["Retry-After"]).toBe("3");
  });

  it("keeps contract codes at the statuses api.md fixes", () => {
    expect(ERROR_CODES.VALIDATION_FAILED.status).toBe(400);
    expect(ERROR_CODES.MFA_REQUIRED.status).toBe(401);
    expect(ERROR_CODES.METHOD_NOT_ALLOWED_FOR_TENANT.status).toBe(403);
    expect(ERROR_CODES.IDEMPOTENCY_KEY_REUSED.status).toBe(422);
    expect(ERROR_CODES.ACCOUNT_LOCKED.status).toBe(423);
    expect(ERROR_CODES.PAYMENT_FAILED.status).toBe(402);
  });

  it("renders RFC 9457 members and refuses to let extensions overwrite them", () => {
    const doc = problemDocument("MFA_REQUIRED", "Second factor needed", "req-1", {
      mfaToken: "t",
      status: 200,
      code: "X",
    });
    expect(doc).toEqual({
      type: "https://atlas.dev/problems/mfa-required",
      title: "Multi-factor authentication required",
      status: 401,
      detail: "Second factor needed",
      code: "MFA_REQUIRED",
      instance: "req-1",
      mfaToken: "t",
    });
  });

  it("maps unknown errors to INTERNAL without leaking their message", () => {
    const e = toAppError(new Error("connection to 10.0.0.5 failed: password authentication failed"));
    expect(e.code).toBe("INTERNAL");
    expect(e.detail).not.toContain("password");
    expect(e.cause).toBeInstanceOf(Error);
  });

  it("maps Hono HTTP exceptions and zod errors to contract codes", () => {
    expect(toAppError(new HTTPException(400, { message: "Malformed JSON in request body" }))).toMatchObject({
      code: "VALIDATION_FAILED",
      detail: "Malformed JSON in request body",
    });
    expect(toAppError(new HTTPException(413)).code).toBe("PAYLOAD_TOO_LARGE");
    expect(toAppError(new HTTPException(502, { message: "upstream secret" }))).toMatchObject({ code: "INTERNAL" });
    const zerr = z.object({ a: z.string() }).safeParse({ a: 1 });
    expect(zerr.success).toBe(false);
    if (!zerr.success)
      expect(toAppError(zerr.error).extensions.errors).toEqual([{ path: "a", message: expect.any(String) }]);
  });
});
