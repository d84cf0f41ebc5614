import { problemErrorHandler } from "@atlas/errors";
import { Hono } from "hono";
import { type BearerAuthOptions, bearerAuth, requireScope } from "../src/index.ts";
import type { TestIssuer } from "../src/testing.ts";

const silent = { error() {}, warn() {} };

/** A bare Hono app behind bearerAuth: `/whoami` echoes `c.var.auth`, `/profile` needs profile:read. */
export function appFor(issuer: TestIssuer, overrides: Partial<BearerAuthOptions> = {}) {
  const app = new Hono();
  app.onError(problemErrorHandler(silent));
  app.use(
    "/*",
    bearerAuth({ issuer: issuer.url, audiences: [issuer.audience], jwksUrl: issuer.jwksUrl, ...overrides }),
  );
  app.get("/whoami", (c) => c.json(c.var.auth));
  app.get("/profile", requireScope("profile:read"), (c) => c.json({ ok: true }));
  return app;
}

/** Calls `path` with `Authorization: Bearer <token>`, or with `authorization` verbatim. */
export function call(app: Hono, token: string | undefined, options: { raw?: boolean; path?: string } = {}) {
  const headers: Record<string, string> = {};
  if (token !== undefined) headers.authorization = options.raw ? token : `Bearer ${token}`;
  return app.request(options.path ?? "/whoami", { headers });
}

/** Status, problem code and challenge of a response. */
export async function outcome(res: Response) {
  const body = (await res.json()) as { code?: string };
  return { status: res.status, code: body.code, challenge: res.headers.get("www-authenticate") };
}

export const b64url = (value: unknown) =>
  Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");
