import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "./api.ts";
import { createAuthClient, OAUTH_METHODS, parseSession, parseTenant } from "./auth.ts";

const config = {
  authUrl: "http://auth.test",
  apiUrl: "http://api.test",
  tenant: "acme",
  stripePublishableKey: null,
  cryptoPayments: [],
};
const tokens = {
  accessToken: "a.b.c",
  refreshToken: "r",
  tokenType: "Bearer",
  expiresIn: 900,
  user: { id: "u1", tenantId: "t", email: "me@example.test", phone: null, displayName: null, roles: [] },
};

afterEach(() => vi.unstubAllGlobals());

describe("auth client sessions", () => {
  it("parses token responses and refuses malformed ones", () => {
    // The page keeps only the access token; the refresh token stays in the HttpOnly cookie.
    expect(parseSession(tokens)).toEqual({
      accessToken: "a.b.c",
      user: { id: "u1", email: "me@example.test", phone: null },
    });
    expect(parseSession({ ...tokens, refreshToken: undefined }).accessToken).toBe("a.b.c");
    expect(() => parseSession({ accessToken: "x" })).toThrow();
  });

  it("verifies a magic link and an SMS code against service-auth, naming the tenant", async () => {
    const fetch = vi.fn(async () => Response.json(tokens));
    vi.stubGlobal("fetch", fetch);
    const auth = createAuthClient(config);
    expect((await auth.verifyEmail("tok")).user.id).toBe("u1");
    expect((await auth.verifySms("+14155550123", "123456")).accessToken).toBe("a.b.c");
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe("http://auth.test/auth/email/verify");
    expect(init.method).toBe("POST");
    expect(JSON.parse(String(init.body))).toEqual({ token: "tok" });
    expect(new Headers(init.headers).get("x-tenant")).toBe("acme");
    const [smsUrl, smsInit] = fetch.mock.calls[1] as unknown as [string, RequestInit];
    expect(smsUrl).toBe("http://auth.test/auth/sms/verify");
    expect(JSON.parse(String(smsInit.body))).toEqual({ phone: "+14155550123", code: "123456" });
  });

  it("surfaces a used link as the server's problem detail", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn(async () =>
        Response.json(
          {
            type: "x",
            title: "Invalid credentials",
            status: 401,
            detail: "This sign-in link is invalid, used or expired",
            code: "INVALID_CREDENTIALS",
          },
          { status: 401, headers: { "content-type": "application/problem+json" } },
        ),
      ),
    );
    const error = await createAuthClient(config)
      .verifyEmail("tok")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      code: "INVALID_CREDENTIALS",
      detail: "This sign-in link is invalid, used or expired",
    });
  });

  it("resumes a session from the refresh cookie (credentials included, no body)", async () => {
    const fetch = vi.fn(async () => Response.json({ ...tokens, refreshToken: undefined }));
    vi.stubGlobal("fetch", fetch);
    expect((await createAuthClient(config).resume()).user.id).toBe("u1");
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe("http://auth.test/auth/token/refresh");
    expect(init).toMatchObject({ method: "POST", credentials: "include" });
    expect(init.body).toBeUndefined();
  });

  it("signs out with the session's bearer token", async () => {
    const fetch = vi.fn(async () => new Response(null, { status: 204 }));
    vi.stubGlobal("fetch", fetch);
    await createAuthClient(config).logout(parseSession(tokens));
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe("http://auth.test/auth/logout");
    expect(new Headers(init.headers).get("authorization")).toBe("Bearer a.b.c");
  });
});

describe("login methods (generated from service-auth's method manifests)", () => {
  it("keeps every method the tenant allows, OIDC single sign-on included, and offers its provider", () => {
    // The hand-written list this replaced lacked oauth:oidc: a tenant's SSO was silently dropped.
    const tenant = parseTenant({ slug: "acme", name: "Acme", allowedMethods: ["email", "oauth:oidc", "telepathy"] });
    expect(tenant.allowedMethods).toEqual(["email", "oauth:oidc"]);
    expect(OAUTH_METHODS.filter((o) => tenant.allowedMethods.includes(o.method))).toEqual([
      { method: "oauth:oidc", provider: "oidc", label: "Single sign-on" },
    ]);
    expect(OAUTH_METHODS.map((o) => o.provider)).toEqual(["google", "github", "discord", "twitter", "oidc"]);
  });
});

describe("MFA challenges", () => {
  const problem = (extras: Record<string, unknown>) =>
    new ApiError(401, "MFA_REQUIRED", "A second factor is required", extras);

  it("reads the mfaToken and the known methods of an MFA_REQUIRED problem", async () => {
    const { mfaChallengeOf } = await import("./auth.ts");
    expect(
      mfaChallengeOf(problem({ mfaToken: "t".repeat(43), methods: ["totp", "webauthn", "carrier_pigeon"] })),
    ).toEqual({ mfaToken: "t".repeat(43), methods: ["totp", "webauthn"], detail: "A second factor is required" });
    // The risk-based e-mail link carries no token.
    expect(mfaChallengeOf(problem({ methods: ["email_link"] }))?.mfaToken).toBeNull();
    expect(mfaChallengeOf(new ApiError(401, "INVALID_TOKEN", "x"))).toBeNull();
    expect(mfaChallengeOf(new Error("x"))).toBeNull();
  });

  it("splits the OAuth fragment's comma list of methods", async () => {
    const { parseMfaMethods } = await import("./auth.ts");
    expect(parseMfaMethods("totp,backup_code")).toEqual(["totp", "backup_code"]);
    expect(parseMfaMethods(null)).toEqual([]);
  });

  it("answers a challenge with the token, one factor and the trust flag", async () => {
    const fetch = vi.fn(async () => Response.json({ ...tokens, backupCodesRemaining: 9 }));
    vi.stubGlobal("fetch", fetch);
    const result = await createAuthClient(config).verifyMfa("m".repeat(43), { backupCode: "abcd-efgh" }, true);
    expect(result.backupCodesRemaining).toBe(9);
    expect(result.session.user.id).toBe("u1");
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe("http://auth.test/auth/mfa/verify");
    expect(JSON.parse(String(init.body))).toEqual({
      mfaToken: "m".repeat(43),
      backupCode: "abcd-efgh",
      trustDevice: true,
    });
  });
});
