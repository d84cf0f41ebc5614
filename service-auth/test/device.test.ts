// RFC 8628 device authorization (`atlas login`): codes, approval, polling at the token endpoint,
// and the PATs a device receives, on real Postgres with the harness's settable clock.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DEVICE_CODE_GRANT_TYPE, normaliseUserCode } from "../src/services/methods/device/device-auth.service.ts";
import { totpBytesFromBase32, totpCode } from "../src/services/mfa/totp.ts";
import { jsonPost, loginTestUser } from "./fixtures.ts";
import { createTestApp, type TestApp } from "./harness.ts";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
beforeEach(() => t.reset());
afterAll(() => t.close());

const later = (sec: number) => {
  t.clock.now = new Date(t.clock.now.getTime() + sec * 1000);
};
const form = (fields: Record<string, string>, headers: Record<string, string> = {}) => ({
  method: "POST",
  body: new URLSearchParams(fields).toString(),
  headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
});

interface Codes {
  device_code: string;
  user_code: string;
  verification_uri: string;
  verification_uri_complete: string;
  expires_in: number;
  interval: number;
}

async function requestCodes(fields: Record<string, string> = {}): Promise<Codes> {
  const res = await t.app.request(
    "/auth/device/code",
    form({ client_id: "atlas-cli", scope: "profile:read objects:read", hostname: "laptop", ...fields }),
  );
  expect(res.status).toBe(200);
  expect(res.headers.get("cache-control")).toBe("no-store");
  return (await res.json()) as Codes;
}
const poll = (deviceCode: string, headers: Record<string, string> = {}) =>
  t.app.request("/auth/token/refresh", form({ grant_type: DEVICE_CODE_GRANT_TYPE, device_code: deviceCode }, headers));
const decide = (decision: "approve" | "deny", userCode: string, auth: Record<string, string>) =>
  t.app.request(`/auth/device/${decision}`, jsonPost({ user_code: userCode }, auth));
const errorOf = async (res: Response) => {
  expect(res.status).toBe(400);
  expect(res.headers.get("content-type")).toContain("application/json");
  return ((await res.json()) as { error: string }).error;
};

describe("device authorization request", () => {
  it("answers the RFC 8628 §3.2 members and stores only hashes of both codes", async () => {
    const codes = await requestCodes();
    expect(codes.user_code).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
    expect(codes.device_code.length).toBeGreaterThanOrEqual(43);
    expect(codes.verification_uri).toBe("http://localhost:3000/device");
    expect(codes.verification_uri_complete).toBe(`http://localhost:3000/device?user_code=${codes.user_code}`);
    expect(codes).toMatchObject({ expires_in: 900, interval: 5 });
    const row = await t.deps.prisma.deviceAuthorization.findFirstOrThrow();
    const stored = JSON.stringify(row);
    expect(stored).not.toContain(codes.device_code);
    expect(stored).not.toContain(codes.user_code.replace("-", ""));
    expect(row).toMatchObject({
      clientName: "Atlas CLI",
      hostname: "laptop",
      scopes: ["profile:read", "objects:read"],
    });
    expect(await t.deps.prisma.authAuditLog.count({ where: { eventType: "device_code_requested" } })).toBe(1);
  });

  it("accepts JSON too, defaults to profile:read, and refuses unknown clients and scopes", async () => {
    const json = await t.app.request("/auth/device/code", jsonPost({ client_id: "atlas-cli" }));
    expect(json.status).toBe(200);
    expect((await t.deps.prisma.deviceAuthorization.findFirstOrThrow()).scopes).toEqual(["profile:read"]);

    const client = await t.app.request("/auth/device/code", form({ client_id: "evil-app" }));
    expect(client.status).toBe(400);
    expect(await client.json()).toMatchObject({ code: "VALIDATION_FAILED", error: "invalid_client" });
    const scope = await t.app.request("/auth/device/code", form({ client_id: "atlas-cli", scope: "admin" }));
    expect(scope.status).toBe(400);
    expect(await scope.json()).toMatchObject({ code: "VALIDATION_FAILED", error: "invalid_scope" });
    const extra = await t.app.request("/auth/device/code", jsonPost({ client_id: "atlas-cli", foo: 1 }));
    expect(await extra.json()).toMatchObject({ code: "VALIDATION_FAILED", error: "invalid_request" });
    const text = await t.app.request("/auth/device/code", { method: "POST", body: "x" });
    expect(text.status).toBe(400);
  });

  it("is advertised in the discovery document", async () => {
    const doc = (await (await t.app.request("/.well-known/openid-configuration")).json()) as Record<string, unknown>;
    expect(doc.device_authorization_endpoint).toBe("http://auth.test/auth/device/code");
    expect(doc.grant_types_supported).toContain(DEVICE_CODE_GRANT_TYPE);
  });
});

describe("approval and polling", () => {
  it("pending → approved → a PAT with the requested scopes, named after the host, once", async () => {
    const me = await loginTestUser(t);
    const codes = await requestCodes();
    expect(await errorOf(await poll(codes.device_code))).toBe("authorization_pending");

    const shown = await t.app.request(`/auth/device/verify?user_code=${codes.user_code.toLowerCase()}`, {
      headers: me.auth,
    });
    expect(shown.status).toBe(200);
    expect(await shown.json()).toMatchObject({
      userCode: codes.user_code,
      clientName: "Atlas CLI",
      hostname: "laptop",
      scopes: ["profile:read", "objects:read"],
      requestIp: expect.any(String),
    });

    expect((await decide("approve", codes.user_code, me.auth)).status).toBe(200);
    later(5);
    const res = await poll(codes.device_code);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const body = (await res.json()) as { access_token: string; token_type: string; scope: string; expires_in: number };
    expect(body).toMatchObject({ token_type: "Bearer", scope: "profile:read objects:read", expires_in: 90 * 86_400 });
    expect(body.access_token).toMatch(/^atlas_pat_/);

    const pats = (await (await t.app.request("/auth/pats", { headers: me.auth })).json()) as {
      items: { name: string; scopes: string[] }[];
    };
    expect(pats.items).toEqual([
      expect.objectContaining({ name: "Atlas CLI on laptop", scopes: ["profile:read", "objects:read"] }),
    ]);

    // The device_code is single use: a second redemption gets nothing.
    later(5);
    expect(await errorOf(await poll(codes.device_code))).toBe("invalid_grant");
    const types = (await t.deps.prisma.authAuditLog.findMany({ where: { userId: me.user.id } })).map(
      (r) => r.eventType,
    );
    expect(types).toEqual(expect.arrayContaining(["device_approved", "pat_created", "device_token_issued"]));
  });

  it("denied → access_denied, and the user code cannot be decided twice", async () => {
    const me = await loginTestUser(t);
    const codes = await requestCodes();
    expect((await decide("deny", codes.user_code, me.auth)).status).toBe(200);
    expect(await errorOf(await poll(codes.device_code))).toBe("access_denied");
    expect((await decide("approve", codes.user_code, me.auth)).status).toBe(404);
    expect(await t.deps.prisma.personalAccessToken.count()).toBe(0);
    expect(await t.deps.prisma.authAuditLog.count({ where: { eventType: "device_denied" } })).toBe(1);
  });

  it("expired device code → expired_token; its user code can no longer be approved", async () => {
    const me = await loginTestUser(t);
    const codes = await requestCodes();
    later(900);
    expect(await errorOf(await poll(codes.device_code))).toBe("expired_token");
    expect((await decide("approve", codes.user_code, me.auth)).status).toBe(404);
    // An approval just in time, redeemed too late, is expired as well.
    t.clock.now = new Date(t.clock.now.getTime() - 900_000);
    const again = await requestCodes();
    expect((await decide("approve", again.user_code, me.auth)).status).toBe(200);
    later(901);
    expect(await errorOf(await poll(again.device_code))).toBe("expired_token");
  });

  it("polling faster than the interval → slow_down, and the interval grows by 5 s each time", async () => {
    const codes = await requestCodes();
    expect(await errorOf(await poll(codes.device_code))).toBe("authorization_pending");
    later(2);
    const fast = await poll(codes.device_code);
    expect(await fast.json()).toMatchObject({ error: "slow_down", interval: 10 });
    later(9);
    expect(await errorOf(await poll(codes.device_code))).toBe("slow_down");
    expect((await t.deps.prisma.deviceAuthorization.findFirstOrThrow()).interval).toBe(15);
    later(15);
    expect(await errorOf(await poll(codes.device_code))).toBe("authorization_pending");
  });

  it("unknown device codes, other tenants' codes and wrong grant types are refused per RFC 6749", async () => {
    expect(await errorOf(await poll("nope"))).toBe("invalid_grant");
    const codes = await requestCodes();
    await t.deps.prisma.tenant.create({
      data: {
        name: "Other",
        slug: "other",
        allowedOrigins: [],
        allowedMethods: ["email"],
        jwtAudience: "other",
      },
    });
    expect(await errorOf(await poll(codes.device_code, { "x-tenant": "other" }))).toBe("invalid_grant");
    const wrongGrant = await t.app.request("/auth/token/refresh", form({ grant_type: "password" }));
    expect(await errorOf(wrongGrant)).toBe("unsupported_grant_type");
    const noGrant = await t.app.request("/auth/token/refresh", form({ device_code: codes.device_code }));
    expect(await errorOf(noGrant)).toBe("invalid_request");
    const noCode = await t.app.request("/auth/token/refresh", jsonPost({ grant_type: DEVICE_CODE_GRANT_TYPE }));
    expect(await errorOf(noCode)).toBe("invalid_request");
    // JSON with grant_type is an OAuth request too; JSON without it is still a refresh.
    const json = await t.app.request(
      "/auth/token/refresh",
      jsonPost({ grant_type: DEVICE_CODE_GRANT_TYPE, device_code: codes.device_code }),
    );
    expect(await errorOf(json)).toBe("authorization_pending");
    const refresh = await t.app.request("/auth/token/refresh", jsonPost({ refreshToken: "x" }));
    expect(refresh.status).toBe(401);
  });

  it("approval needs a recent MFA verification from users with MFA; denial does not", async () => {
    const me = await loginTestUser(t);
    const setup = (await (await t.app.request("/auth/mfa/totp/setup", jsonPost({}, me.auth))).json()) as {
      secret: string;
    };
    const key = totpBytesFromBase32(setup.secret);
    const enabled = await t.app.request(
      "/auth/mfa/totp/enable",
      jsonPost({ code: totpCode(key, t.clock.now.getTime()) }, me.auth),
    );
    expect(enabled.status).toBe(200);
    // Past the step-up window (10 min), within the access token's life (15 min).
    later(11 * 60);
    const codes = await requestCodes();
    const approve = await decide("approve", codes.user_code, me.auth);
    expect(approve.status).toBe(401);
    expect(await approve.json()).toMatchObject({ code: "MFA_REQUIRED" });
    expect((await t.deps.prisma.deviceAuthorization.findFirstOrThrow()).status).toBe("pending");
    expect((await decide("deny", codes.user_code, me.auth)).status).toBe(200);
  });

  it("code entry needs a signed-in user", async () => {
    const codes = await requestCodes();
    expect((await t.app.request(`/auth/device/verify?user_code=${codes.user_code}`)).status).toBe(401);
    expect((await t.app.request("/auth/device/approve", jsonPost({ user_code: codes.user_code }))).status).toBe(401);
  });
});

describe("user codes", () => {
  it("normalise case, dashes and spaces, and refuse other characters", () => {
    expect(normaliseUserCode("bcdf-ghjk")).toBe("BCDFGHJK");
    expect(normaliseUserCode(" BCDF GHJK ")).toBe("BCDFGHJK");
    expect(normaliseUserCode("BCDF-GHJA")).toBeNull();
    expect(normaliseUserCode("BCDF")).toBeNull();
  });
});
