// The client address behind trusted proxies, and the device hash (what it is made of, what not).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { jsonPost } from "./fixtures.ts";
import { createTestApp, type TestApp } from "./harness.ts";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ env: { TRUSTED_PROXIES: "10.0.0.0/8,fd00::/8" } });
});
beforeEach(() => t.reset());
afterAll(() => t.close());

/** A failed e-mail login from a TCP peer; answers the audit row it left. */
async function failedLogin(peer: string, headers: Record<string, string> = {}, app = t) {
  const env = { incoming: { socket: { remoteAddress: peer } } };
  const res = await app.app.request("/auth/email/verify", jsonPost({ token: "x".repeat(43) }, headers), env);
  expect(res.status).toBe(401);
  const row = await app.deps.prisma.authAuditLog.findFirstOrThrow({
    where: { eventType: "login_failure" },
    orderBy: { createdAt: "desc" },
  });
  await app.deps.prisma.authAuditLog.deleteMany({});
  return row;
}

describe("client address", () => {
  it("is the TCP peer unless the peer is a trusted proxy", async () => {
    expect((await failedLogin("203.0.113.9", { "x-forwarded-for": "1.2.3.4" })).ipAddress).toBe("203.0.113.9");
    expect((await failedLogin("10.0.0.5", { "x-forwarded-for": "1.2.3.4" })).ipAddress).toBe("1.2.3.4");
    expect((await failedLogin("::ffff:10.0.0.5", { "x-forwarded-for": "1.2.3.4" })).ipAddress).toBe("1.2.3.4");
    expect((await failedLogin("fd00::1", { "x-forwarded-for": "2001:db8::7" })).ipAddress).toBe("2001:db8::7");
  });

  it("takes the right-most untrusted hop: addresses a client prepends are never believed", async () => {
    const spoofed = await failedLogin("10.0.0.5", { "x-forwarded-for": "6.6.6.6, 1.2.3.4, 10.1.1.1" });
    expect(spoofed.ipAddress).toBe("1.2.3.4");
    // Only proxies and junk in the header: the last trusted hop is all there is.
    expect((await failedLogin("10.0.0.5", { "x-forwarded-for": "garbage, 10.9.9.9" })).ipAddress).toBe("10.9.9.9");
    expect((await failedLogin("10.0.0.5")).ipAddress).toBe("10.0.0.5");
  });

  it("rejects an invalid TRUSTED_PROXIES entry at boot", async () => {
    await expect(createTestApp({ env: { TRUSTED_PROXIES: "10.0.0.0/8,not-an-ip" } })).rejects.toThrow(
      /TRUSTED_PROXIES/,
    );
  });
});

describe("device hash", () => {
  const browser = { "user-agent": "Mozilla/5.0 Test", "accept-language": "en-GB", "sec-ch-ua-platform": '"Linux"' };

  it("is stable across networks, changes with the browser signals, the device id and the tenant", async () => {
    const home = (await failedLogin("203.0.113.9", browser)).deviceHash;
    const office = (await failedLogin("198.51.100.7", browser)).deviceHash;
    expect(home).toMatch(/^[0-9a-f]{32}$/);
    expect(office).toBe(home);
    expect((await failedLogin("203.0.113.9", { ...browser, "accept-language": "fr" })).deviceHash).not.toBe(home);
    expect((await failedLogin("203.0.113.9", { ...browser, "sec-ch-ua-platform": '"macOS"' })).deviceHash).not.toBe(
      home,
    );
    expect((await failedLogin("203.0.113.9", { ...browser, "x-device-id": "app-install-1" })).deviceHash).not.toBe(
      home,
    );
    await t.deps.prisma.tenant.create({
      data: { slug: "acme", name: "Acme", allowedOrigins: [], allowedMethods: ["email"], jwtAudience: "acme" },
    });
    const acme = await failedLogin("203.0.113.9", { ...browser, "x-tenant": "acme" });
    expect(acme.deviceHash).not.toBe(home);
    // Raw signals are not stored: only the user agent (shown to the user in their sessions).
    expect(JSON.stringify(acme)).not.toContain("en-GB");
    expect(JSON.stringify(acme)).not.toContain("Linux");
  });
});
