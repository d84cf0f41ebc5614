// Signing keys sign every tenant's tokens: only platform administrators (admins of the default
// tenant) may rotate them (issue 18 §7).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { jsonPost, loginTestUser } from "./fixtures.ts";
import { createTestApp, type TestApp } from "./harness.ts";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
beforeEach(() => t.reset());
afterAll(() => t.close());

describe("signing-key rotation", () => {
  it("a tenant's admin rotating the platform signing keys gets 403 and nothing changes", async () => {
    const platformAdmin = await loginTestUser(t, { roles: ["admin"] });
    const created = await t.app.request(
      "/admin/tenants",
      jsonPost(
        {
          name: "Acme",
          slug: "acme",
          allowedOrigins: ["https://acme.example"],
          allowedMethods: ["email"],
          jwtAudience: "acme-api",
        },
        platformAdmin.auth,
      ),
    );
    expect(created.status).toBe(201);
    const tenantAdmin = await loginTestUser(t, { tenantSlug: "acme", roles: ["admin"] });
    const keysBefore = await t.deps.prisma.signingKey.findMany({ orderBy: { kid: "asc" } });

    const denied = await t.app.request("/admin/keys/rotate", {
      method: "POST",
      headers: { ...tenantAdmin.auth, "x-tenant": "acme" },
    });
    expect(denied.status).toBe(403);
    expect(await denied.json()).toMatchObject({ code: "FORBIDDEN" });
    expect(await t.deps.prisma.signingKey.findMany({ orderBy: { kid: "asc" } })).toEqual(keysBefore);
    expect(await t.deps.prisma.authAuditLog.count({ where: { eventType: "signing_key_rotated" } })).toBe(0);

    // The platform admin still can.
    const rotated = await t.app.request("/admin/keys/rotate", { method: "POST", headers: platformAdmin.auth });
    expect(rotated.status).toBe(202);
    expect(await t.deps.prisma.signingKey.count()).toBe(keysBefore.length + 1);
  });
});
