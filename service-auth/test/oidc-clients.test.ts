// Issue 23: a tenant's OpenID clients under /admin/tenants/:id/clients (platform admins, and the
// tenant's own admins), and the tenant brand of hosted pages and e-mails.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { withDisplayName } from "../src/providers/email.ts";
import { magicLinkMail } from "../src/services/notifications/templates.ts";
import { walletCaip10 } from "../src/services/oidc/account.ts";
import { sweepExpiredOidcPayloads } from "../src/services/oidc/adapter.ts";
import { jsonPost, loginTestUser } from "./fixtures.ts";
import { createTestApp, type TestApp } from "./harness.ts";

let t: TestApp;
let admin: Record<string, string>;
let tenantId: string;

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});
beforeEach(async () => {
  await t.reset();
  admin = (await loginTestUser(t, { roles: ["admin"] })).auth;
  const res = await t.app.request(
    "/admin/tenants",
    jsonPost(
      {
        name: "Acme",
        slug: "acme",
        allowedOrigins: [],
        allowedMethods: ["email"],
        jwtAudience: "https://api.acme.test",
      },
      admin,
    ),
  );
  tenantId = ((await res.json()) as { id: string }).id;
});

const base = () => `/admin/tenants/${tenantId}/clients`;
const client = {
  name: "Dashboard",
  redirectUris: ["https://app.acme.test/callback"],
  allowedScopes: ["openid", "email"],
  tokenEndpointAuthMethod: "client_secret_post",
};
const patch = (path: string, body: unknown, headers: Record<string, string>) =>
  t.app.request(path, { ...jsonPost(body, headers), method: "PATCH" });

describe("OpenID clients administration", () => {
  it("registers, lists, reads, changes and deletes a client; the secret is shown once and stored hashed", async () => {
    const created = await t.app.request(base(), jsonPost(client, admin));
    expect(created.status).toBe(201);
    expect(created.headers.get("cache-control")).toBe("no-store");
    const body = (await created.json()) as { client: { clientId: string }; clientSecret: string };
    expect(body.clientSecret.length).toBeGreaterThanOrEqual(43);
    expect(JSON.stringify(body.client)).not.toContain(body.clientSecret);
    const row = await t.deps.prisma.oidcClient.findUniqueOrThrow({ where: { id: body.client.clientId } });
    expect(row.secretHash).not.toBe(body.clientSecret);
    expect(row.secretHash).toMatch(/^[0-9a-f]{64}$/);

    const list = await t.app.request(`${base()}?limit=1`, { headers: admin });
    expect(await list.json()).toMatchObject({
      items: [{ clientId: body.client.clientId, name: "Dashboard" }],
      nextCursor: null,
    });
    const one = await t.app.request(`${base()}/${body.client.clientId}`, { headers: admin });
    expect(await one.json()).toMatchObject({ firstParty: false, tokenEndpointAuthMethod: "client_secret_post" });

    const changed = await patch(`${base()}/${body.client.clientId}`, { name: "Console", firstParty: true }, admin);
    expect(changed.status).toBe(200);
    expect(await changed.json()).toMatchObject({ name: "Console", firstParty: true });

    const deleted = await t.app.request(`${base()}/${body.client.clientId}`, { method: "DELETE", headers: admin });
    expect(deleted.status).toBe(204);
    expect((await t.app.request(`${base()}/${body.client.clientId}`, { headers: admin })).status).toBe(404);
    const events = await t.deps.prisma.authAuditLog.findMany({
      where: { eventType: { startsWith: "oidc_client_" } },
      orderBy: { createdAt: "asc" },
    });
    expect(events.map((e) => e.eventType)).toEqual([
      "oidc_client_created",
      "oidc_client_updated",
      "oidc_client_deleted",
    ]);
  });

  it("validates redirect URIs (https; http only for loopback outside production), scopes and keys", async () => {
    const bad = [
      { ...client, redirectUris: ["http://app.acme.test/callback"] },
      { ...client, redirectUris: ["https://app.acme.test/cb#frag"] },
      { ...client, allowedScopes: ["email"] },
      { ...client, allowedScopes: ["openid", "admin"] },
      { ...client, tokenEndpointAuthMethod: "client_secret_jwt" },
      { ...client, tokenEndpointAuthMethod: "private_key_jwt" },
      { ...client, extra: true },
    ];
    for (const body of bad) {
      const res = await t.app.request(base(), jsonPost(body, admin));
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(((await res.json()) as { code: string }).code).toBe("VALIDATION_FAILED");
    }
    const loopback = await t.app.request(
      base(),
      jsonPost({ ...client, redirectUris: ["http://localhost:8080/cb"] }, admin),
    );
    expect(loopback.status).toBe(201);
  });

  it("lets a tenant's own admins manage its clients, and nobody else's", async () => {
    const own = await loginTestUser(t, { tenantSlug: "acme", roles: ["admin"] });
    const headers = { ...own.auth, "x-tenant": "acme" };
    expect((await t.app.request(base(), jsonPost(client, headers))).status).toBe(201);
    const defaultTenant = await t.deps.prisma.tenant.findUniqueOrThrow({ where: { slug: "default" } });
    const other = await t.app.request(`/admin/tenants/${defaultTenant.id}/clients`, { headers });
    expect(other.status).toBe(403);
    // The tenant routes themselves stay platform-only.
    expect((await t.app.request(`/admin/tenants/${tenantId}`, { headers })).status).toBe(403);
    const member = await loginTestUser(t, { tenantSlug: "acme" });
    expect((await t.app.request(base(), { headers: { ...member.auth, "x-tenant": "acme" } })).status).toBe(403);
    expect((await t.app.request(`/admin/tenants/${crypto.randomUUID()}/clients`, { headers: admin })).status).toBe(404);
  });

  it("rotation answers 409 for private_key_jwt clients", async () => {
    const keyed = await t.app.request(
      base(),
      jsonPost(
        {
          ...client,
          tokenEndpointAuthMethod: "private_key_jwt",
          jwks: { keys: [{ kty: "RSA", n: "AQAB", e: "AQAB", kid: "k" }] },
        },
        admin,
      ),
    );
    const body = (await keyed.json()) as { client: { clientId: string }; clientSecret?: string };
    expect(body.clientSecret).toBeUndefined();
    const rotate = await t.app.request(`${base()}/${body.client.clientId}/secret`, jsonPost({}, admin));
    expect(rotate.status).toBe(409);
    // Switching to a secret method issues a secret once.
    const switched = await patch(
      `${base()}/${body.client.clientId}`,
      { tokenEndpointAuthMethod: "client_secret_basic" },
      admin,
    );
    expect(((await switched.json()) as { clientSecret?: string }).clientSecret).toEqual(expect.any(String));
  });

  it("sweeps expired provider artefacts", async () => {
    const now = t.deps.now();
    await t.deps.prisma.oidcPayload.createMany({
      data: [
        {
          tenantId,
          kind: "Interaction",
          id: "old",
          payload: {},
          expiresAt: new Date(now.getTime() - 1),
          createdAt: now,
        },
        {
          tenantId,
          kind: "Interaction",
          id: "live",
          payload: {},
          expiresAt: new Date(now.getTime() + 60_000),
          createdAt: now,
        },
      ],
    });
    expect(await sweepExpiredOidcPayloads(t.deps)).toBe(1);
    expect((await t.deps.prisma.oidcPayload.findMany()).map((r) => r.id)).toEqual(["live"]);
  });
});

describe("account deletion", () => {
  it("deletes the user's OpenID consents, grants and tokens", async () => {
    const user = await loginTestUser(t, { tenantSlug: "acme" });
    const now = t.deps.now();
    await t.deps.prisma.oidcConsent.create({
      data: { userId: user.user.id, clientId: "c1", tenantId, scopes: ["openid"], grantedAt: now, updatedAt: now },
    });
    await t.deps.prisma.oidcPayload.create({
      data: { tenantId, kind: "Grant", id: "g1", payload: { accountId: user.user.id, clientId: "c1" }, createdAt: now },
    });
    const deleted = await t.app.request("/auth/me", {
      method: "DELETE",
      headers: { ...user.auth, "x-tenant": "acme" },
    });
    expect(deleted.status).toBe(204);
    expect(await t.deps.prisma.oidcConsent.count()).toBe(0);
    expect(await t.deps.prisma.oidcPayload.count()).toBe(0);
  });
});

describe("wallet_address claim", () => {
  it("is the CAIP-10 account id of the user's wallet", () => {
    const id = (provider: string, subject: string, metadata: object = {}) =>
      walletCaip10({ provider, subject, metadata });
    expect(id("siwe", "0xAb", { chainId: 8453 })).toBe("eip155:8453:0xAb");
    expect(id("siwe", "0xAb")).toBe("eip155:1:0xAb");
    expect(id("siwe", "eip155:10:0xAb")).toBe("eip155:10:0xAb");
    expect(id("siws", "So1ana")).toBe("solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp:So1ana");
    expect(id("arweave", "ar-addr")).toBe("arweave:mainnet:ar-addr");
  });
});

describe("tenant brand", () => {
  it("is set through PATCH /admin/tenants/:id and returned by GET /tenants/current", async () => {
    const res = await patch(
      `/admin/tenants/${tenantId}`,
      {
        brand: {
          name: "Acme Cloud",
          primaryColor: "#0a7f3f",
          supportEmail: "help@acme.test",
          logoUrl: "https://acme.test/logo.png",
        },
      },
      admin,
    );
    expect(res.status).toBe(200);
    expect(((await res.json()) as { brand: unknown }).brand).toEqual({
      name: "Acme Cloud",
      primaryColor: "#0a7f3f",
      supportEmail: "help@acme.test",
      logoUrl: "https://acme.test/logo.png",
    });
    const cleared = await patch(`/admin/tenants/${tenantId}`, { brand: { logoUrl: null } }, admin);
    expect(((await cleared.json()) as { brand: unknown }).brand).toEqual({
      name: "Acme Cloud",
      primaryColor: "#0a7f3f",
      supportEmail: "help@acme.test",
    });
    const current = await t.app.request("/tenants/current", { headers: { "x-tenant": "acme" } });
    expect(((await current.json()) as { brand: unknown }).brand).toEqual({
      name: "Acme Cloud",
      primaryColor: "#0a7f3f",
      supportEmail: "help@acme.test",
    });
    const invalid = await patch(`/admin/tenants/${tenantId}`, { brand: { primaryColor: "green" } }, admin);
    expect(invalid.status).toBe(400);

    // The tenant's e-mails carry its brand: the name in subject and greeting, the colour, the support address.
    const start = await t.app.request(
      "/auth/email/start",
      jsonPost({ email: "ada@acme.test" }, { "x-tenant": "acme" }),
    );
    expect(start.status).toBe(202);
    const mail = magicLinkMail({
      tenantName: "Acme",
      link: "https://x.test/l",
      token: "t",
      brand: { name: "Acme Cloud", primaryColor: "#0a7f3f", supportEmail: "help@acme.test" },
    });
    expect(mail.html).toContain("background:#0a7f3f");
    expect(mail.fromName).toBe("Acme Cloud");
    expect(withDisplayName("Atlas <no-reply@atlas.test>", mail.fromName)).toBe('"Acme Cloud" <no-reply@atlas.test>');
    const outbox = (await (await t.app.request("/dev/outbox")).json()) as {
      items: { subject: string; text: string }[];
    };
    expect(outbox.items[0]?.subject).toBe("Your Acme Cloud sign-in link");
    expect(outbox.items[0]?.text).toContain("Questions: help@acme.test.");
  });
});
