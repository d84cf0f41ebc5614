// Insecure defaults (issue 18 §8): NODE_ENV unset means production. Development behaviour (the
// dev outbox serving login codes, cookies without Secure, local chains) needs NODE_ENV=development
// and a loopback PUBLIC_URL; code reads named flags from config.ts, never NODE_ENV.
import { ConfigError } from "@atlas/config";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isLoopbackUrl, loadAuthConfig } from "../src/config.ts";
import { allowedSiweChains } from "../src/services/siwe.service.ts";
import { jsonPost, loginTestUser } from "./fixtures.ts";
import { createTestApp, TEST_ENV, type TestApp } from "./harness.ts";
import { SoftAuthenticator } from "./soft-authenticator.ts";

const ORIGIN = "http://localhost:3000";

describe("NODE_ENV unset", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { NODE_ENV: undefined } });
    await t.reset();
  });
  afterAll(() => t.close());

  it("a deployment without NODE_ENV serves no login codes at /dev/outbox (insecure default)", async () => {
    expect(t.config.NODE_ENV).toBe("production");
    expect((await t.app.request("/dev/outbox")).status).toBe(404);
    // Without a provider, e-mail login is refused instead of parking the link where anyone reads it.
    const res = await t.app.request("/auth/email/start", jsonPost({ email: "victim@example.test" }));
    expect(res.status).toBe(403);
    expect(await t.deps.prisma.magicLink.count()).toBe(0);
  });

  it("a deployment without NODE_ENV sets Secure on its cookies (cookie theft over plain http)", async () => {
    const login = await loginTestUser(t);
    const headers = { ...login.auth, origin: ORIGIN };
    const authenticator = new SoftAuthenticator(ORIGIN);
    const options = await t.app.request("/auth/passkey/register/options", jsonPost({}, headers));
    const created = await t.app.request(
      "/auth/passkey/register/verify",
      jsonPost({ response: authenticator.create((await options.json()) as never) }, headers),
    );
    expect(created.status).toBe(201);
    const loginOptions = await t.app.request("/auth/passkey/login/options", jsonPost({}, { origin: ORIGIN }));
    const res = await t.app.request(
      "/auth/passkey/login/verify",
      jsonPost({ response: authenticator.get((await loginOptions.json()) as never) }, { origin: ORIGIN }),
    );
    expect(res.status).toBe(200);
    const refresh = res.headers.getSetCookie().find((c) => c.startsWith("atlas_refresh_token="));
    expect(refresh).toMatch(/;\s*Secure/i);
  });

  it("a deployment without NODE_ENV refuses the local chain 31337 (a chain anyone can mint on)", () => {
    expect(allowedSiweChains(t.config)).not.toContain(31337);
    expect(t.config).toMatchObject({
      dev: { outbox: false, localChains: false, plainHttpPeers: false },
      cookies: { secure: true },
    });
  });
});

describe("NODE_ENV=development", () => {
  const env = (PUBLIC_URL: string) => ({
    ...TEST_ENV,
    DATABASE_URL: "postgresql://h/db",
    NODE_ENV: "development",
    PUBLIC_URL,
  });

  it("development on a public PUBLIC_URL refuses to start (a deployment left in development)", () => {
    for (const url of [
      "https://auth.example.com",
      "http://10.0.0.5:4000",
      "http://0.0.0.0:4000",
      "http://127.example.com",
    ]) {
      expect(() => loadAuthConfig(env(url))).toThrow(ConfigError);
      expect(() => loadAuthConfig(env(url))).toThrow(/PUBLIC_URL/);
    }
    for (const url of ["http://localhost:4000", "http://127.0.0.1:4000", "http://127.1.2.3", "http://[::1]:4000"]) {
      expect(isLoopbackUrl(url)).toBe(true);
      expect(loadAuthConfig(env(url))).toMatchObject({
        NODE_ENV: "development",
        dev: { outbox: true, localChains: true, plainHttpPeers: true },
        cookies: { secure: false },
      });
    }
    // Production does not care where it is.
    expect(loadAuthConfig({ ...env("https://auth.example.com"), NODE_ENV: "production" }).cookies.secure).toBe(true);
  });
});
