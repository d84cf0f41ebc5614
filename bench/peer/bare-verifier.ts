// Baseline for a verified request: a bare Hono app that verifies an Atlas access token on every
// request with jose against service-auth's JWKS (`createRemoteJWKSet`: the key set is fetched
// once and cached by jose; the signature is checked every time, nothing else is cached).
// `GET /v1/me` with `Authorization: Bearer <jwt>` → 200 `{ sub, aud, scope }`, else 401.
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { createRemoteJWKSet, jwtVerify } from "jose";

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

const jwks = createRemoteJWKSet(new URL(env("JWKS_URL")));
const issuer = env("ISSUER");
const audience = env("AUDIENCE");

const app = new Hono();
app.get("/v1/me", async (c) => {
  const header = c.req.header("authorization") ?? "";
  if (!header.startsWith("Bearer ")) return c.json({ error: "missing token" }, 401);
  try {
    const { payload } = await jwtVerify(header.slice(7), jwks, {
      issuer,
      audience,
      algorithms: ["RS256"],
      requiredClaims: ["exp", "sub"],
    });
    return c.json({ sub: payload.sub, aud: payload.aud, scope: payload.scope ?? null });
  } catch {
    return c.json({ error: "invalid token" }, 401);
  }
});
serve({ fetch: app.fetch, port: Number(env("PORT")), hostname: "127.0.0.1" });
