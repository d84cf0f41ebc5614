import { problemErrorHandler } from "@atlas/errors";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireScope } from "../src/index.ts";
import { startTestIssuer, type TestIssuer } from "../src/testing.ts";
import { appFor, call, outcome } from "./helpers.ts";

let issuer: TestIssuer;
beforeAll(async () => {
  issuer = await startTestIssuer();
});
afterAll(() => issuer.stop());

describe("requireScope", () => {
  it("lets a token holding the scope through", async () => {
    const res = await call(appFor(issuer), await issuer.sign({ scope: "profile:read" }), { path: "/profile" });
    expect(res.status).toBe(200);
  });

  it("answers 403 insufficient_scope naming the scope when the token lacks it", async () => {
    const res = await call(appFor(issuer), await issuer.sign({ scope: "objects:read" }), { path: "/profile" });
    expect(await outcome(res)).toEqual({
      status: 403,
      code: "FORBIDDEN",
      challenge: 'Bearer realm="atlas", error="insufficient_scope", scope="profile:read"',
    });
  });

  it("fails closed (401) when no bearerAuth ran before it", async () => {
    const app = new Hono();
    app.onError(problemErrorHandler({ error() {}, warn() {} }));
    app.get("/x", requireScope("profile:read"), (c) => c.text("ok"));
    expect((await outcome(await app.request("/x"))).status).toBe(401);
  });

  it("refuses scopes that could break the challenge header", () => {
    for (const bad of ["", "a b", 'a"b', "a\\b"]) expect(() => requireScope(bad)).toThrow(TypeError);
  });
});
