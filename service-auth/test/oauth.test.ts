import { decodeJwt } from "jose";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { sha256Hex } from "../src/services/platform/crypto.ts";
import { OAuthPeer, PEER_CLIENTS } from "./fakes/oauth-peer.ts";
import { jsonPost, loginTestUser } from "./fixtures.ts";
import { createTestApp, type TestApp } from "./harness.ts";

let t: TestApp;
let peer: OAuthPeer;
beforeAll(async () => {
  peer = await OAuthPeer.start("http://auth.test");
  t = await createTestApp({ env: peer.env() });
});
beforeEach(async () => {
  await t.reset();
  peer.accounts.clear();
  peer.tamperIdToken = null;
  peer.signWithForeignKey = false;
  peer.accounts.set("alice", { id: "alice", email: "Alice@Example.test", emailVerified: true, name: "Alice" });
});
afterAll(async () => {
  await t.close();
  await peer.stop();
});

type Provider = "google" | "github" | "discord" | "twitter" | "oidc";

const cookieOf = (res: Response, name: string) => {
  for (const line of res.headers.getSetCookie()) {
    if (line.startsWith(`${name}=`)) return { value: line.slice(name.length + 1).split(";")[0] ?? "", line };
  }
  return null;
};

/** GET /auth/oauth/:provider/start as a browser: the redirect and the flow cookie. */
async function start(provider: Provider, query: Record<string, string> = {}, app = t) {
  const qs = new URLSearchParams(query).toString();
  const res = await app.app.request(`/auth/oauth/${provider}/start${qs ? `?${qs}` : ""}`);
  const location = res.headers.get("location");
  return { res, location: location ? new URL(location) : null, cookie: cookieOf(res, "atlas_oauth")?.value ?? "" };
}

/** The provider's redirect arriving at our callback, with the given flow cookie. */
const callback = (back: URL, cookie: string | null, app = t) =>
  app.app.request(`${back.pathname}${back.search}`, {
    headers: cookie === null ? {} : { cookie: `atlas_oauth=${cookie}` },
  });

/** A whole login: start → provider login as `account` → callback. */
async function login(provider: Provider, account = "alice", query: Record<string, string> = {}) {
  const s = await start(provider, query);
  expect(s.res.status).toBe(302);
  const back = await peer.authorize(s.location?.href ?? "", account);
  const res = await callback(back, s.cookie);
  return { res, back, cookie: s.cookie, location: new URL(res.headers.get("location") ?? "http://none") };
}

const failures = () =>
  t.deps.prisma.authAuditLog.findMany({ where: { eventType: "login_failure" }, orderBy: { createdAt: "asc" } });

/** Uses the refresh cookie the callback set, as the web-app does after the redirect. */
async function refreshWith(res: Response) {
  const refresh = cookieOf(res, "atlas_refresh_token");
  expect(refresh?.line).toContain("HttpOnly");
  const r = await t.app.request("/auth/token/refresh", {
    method: "POST",
    headers: { cookie: `atlas_refresh_token=${refresh?.value}`, origin: "http://localhost:3000" },
  });
  expect(r.status).toBe(200);
  return (await r.json()) as { accessToken: string; user: { id: string; email: string | null } };
}

describe("OAuth start", () => {
  it("redirects to the provider with state, S256 PKCE and (OIDC) a nonce, bound to an HttpOnly Lax cookie", async () => {
    const { res, location, cookie } = await start("google", { redirectTo: "http://localhost:3000/welcome" });
    expect(res.status).toBe(302);
    expect(location?.origin).toBe(peer.issuer);
    const q = location?.searchParams;
    expect(q?.get("client_id")).toBe(PEER_CLIENTS.google.id);
    expect(q?.get("redirect_uri")).toBe("http://auth.test/auth/oauth/google/callback");
    expect(q?.get("code_challenge_method")).toBe("S256");
    expect(q?.get("scope")).toBe("openid email profile");
    const state = q?.get("state") ?? "";
    expect(Buffer.from(state, "base64url").length).toBe(32);
    expect(q?.get("nonce")?.length).toBeGreaterThanOrEqual(43);
    const line = cookieOf(res, "atlas_oauth")?.line ?? "";
    expect(line).toMatch(/HttpOnly/);
    expect(line).toMatch(/SameSite=Lax/);
    expect(line).toMatch(/Path=\/auth\/oauth/);
    const [cookieState, verifier] = cookie.split(".");
    expect(cookieState).toBe(state);
    // The stored flow has the state's hash only; the verifier lives in the browser alone.
    const flow = await t.deps.prisma.authChallenge.findFirstOrThrow({ where: { kind: "oauth_state" } });
    expect(flow.challengeHash).toBe(sha256Hex(state));
    expect(JSON.stringify(flow)).not.toContain(state);
    expect(JSON.stringify(flow)).not.toContain(verifier ?? "x");
    expect(flow.expiresAt.getTime() - t.clock.now.getTime()).toBe(10 * 60_000);
    expect(await t.deps.prisma.authAuditLog.count({ where: { eventType: "oauth_started" } })).toBe(1);

    const gh = await start("github");
    expect(gh.location?.searchParams.get("nonce")).toBeNull();
    expect(gh.location?.searchParams.get("code_challenge")).toMatch(/^[\w-]{43}$/);
  });

  it("refuses open redirects, unknown providers, disabled and unconfigured ones", async () => {
    for (const bad of [
      "https://evil.example/",
      "//evil.example/x",
      "javascript:alert(1)",
      "http://localhost:3000.evil.example/",
    ]) {
      const { res } = await start("google", { redirectTo: bad });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ code: "VALIDATION_FAILED" });
    }
    const audited = await failures();
    expect(audited).toHaveLength(4);
    expect(audited[0]?.details).toMatchObject({ method: "oauth:google", reason: "redirect_not_allowed" });
    expect((await start("myspace" as Provider)).res.status).toBe(404);
    await t.deps.prisma.tenant.update({ where: { slug: "default" }, data: { allowedMethods: ["email"] } });
    t.app = (await import("../src/app.ts")).createApp(t.deps);
    const disabled = await start("github");
    expect(disabled.res.status).toBe(403);
    expect(await disabled.res.json()).toMatchObject({ code: "METHOD_NOT_ALLOWED_FOR_TENANT" });
    expect(await t.deps.prisma.authChallenge.count()).toBe(0);
  });

  it("answers 403 for a provider without client credentials and 503 when discovery fails", async () => {
    const bare = await createTestApp();
    try {
      await bare.reset();
      const res = (await start("google", {}, bare)).res;
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ code: "METHOD_NOT_ALLOWED_FOR_TENANT" });
    } finally {
      await bare.close();
    }
    const down = await createTestApp({ env: { ...peer.env(), OAUTH_GOOGLE_ISSUER: "http://127.0.0.1:9" } });
    try {
      await down.reset();
      const res = (await start("google", {}, down)).res;
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ code: "SERVICE_UNAVAILABLE" });
    } finally {
      await down.close();
    }
  });
});

describe("OAuth login through the real callback", () => {
  it("Google (OIDC): ID token checked, user created with the verified e-mail, refresh cookie, redirect", async () => {
    const { res, cookie } = await login("google", "alice", { redirectTo: "http://localhost:3000/welcome" });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("http://localhost:3000/welcome");
    // The code was exchanged with the browser's PKCE verifier.
    expect(peer.tokenRequests.at(-1)).toEqual({ codeVerifier: cookie.split(".")[1], status: 200 });
    // The flow cookie is cleared.
    expect(cookieOf(res, "atlas_oauth")?.line).toMatch(/Max-Age=0/);
    const tokens = await refreshWith(res);
    expect(decodeJwt(tokens.accessToken).amr).toEqual(["fed"]);
    const user = await t.deps.prisma.user.findUniqueOrThrow({
      where: { id: tokens.user.id },
      include: { identities: true },
    });
    expect(user).toMatchObject({ email: "alice@example.test", displayName: "Alice" });
    expect(user.emailVerifiedAt).not.toBeNull();
    // The provider-verified address is an identity of its own (magic links need one: no column fallback).
    expect(user.identities.map((i) => [i.provider, i.subject]).sort()).toEqual([
      ["email", "alice@example.test"],
      ["oauth:google", "alice"],
    ]);
    expect(await t.deps.prisma.authAuditLog.count({ where: { eventType: "login_success", userId: user.id } })).toBe(1);

    // Second login: same user, no duplicate.
    const again = await login("google");
    expect((await refreshWith(again.res)).user.id).toBe(user.id);
    expect(await t.deps.prisma.user.count()).toBe(1);
  });

  it("GitHub: only the primary verified address from /user/emails counts", async () => {
    peer.accounts.set("octo", {
      id: "octo",
      email: "public@example.test",
      githubEmails: [
        { email: "old@example.test", primary: false, verified: true },
        { email: "Octo@Example.test", primary: true, verified: true },
      ],
    });
    const ok = await login("github", "octo");
    const tokens = await refreshWith(ok.res);
    expect(tokens.user.email).toBe("octo@example.test");
    const identity = await t.deps.prisma.identity.findFirstOrThrow({ where: { provider: "oauth:github" } });
    expect(identity.subject).toMatch(/^\d+$/);
    expect(identity.metadata).toMatchObject({ username: "octo", email: "Octo@Example.test" });

    peer.accounts.set("unverified", {
      id: "unverified",
      githubEmails: [{ email: "unverified@example.test", primary: true, verified: false }],
    });
    const second = await login("github", "unverified");
    expect((await refreshWith(second.res)).user.email).toBeNull();
  });

  it("Discord and Twitter log in (Twitter has no e-mail); their logins find the same user again", async () => {
    peer.accounts.set("disco", { id: "disco", email: "disco@example.test", emailVerified: false, name: "Disco" });
    const d = await refreshWith((await login("discord", "disco")).res);
    expect(d.user.email).toBeNull();
    const tw = await refreshWith((await login("twitter", "alice")).res);
    expect(tw.user.email).toBeNull();
    expect(tw.user.id).not.toBe(d.user.id);
    expect((await refreshWith((await login("twitter", "alice")).res)).user.id).toBe(tw.user.id);
    const providers = (await t.deps.prisma.identity.findMany()).map((i) => i.provider).sort();
    expect(providers).toEqual(["oauth:discord", "oauth:twitter"]);
  });

  it("a generic OpenID Connect provider (oauth:oidc) works like Google", async () => {
    const { res } = await login("oidc");
    const tokens = await refreshWith(res);
    expect(tokens.user.email).toBe("alice@example.test");
    const identity = await t.deps.prisma.identity.findFirstOrThrow();
    expect([identity.provider, identity.subject]).toEqual(["oauth:oidc", "alice"]);
  });

  it("links automatically only when both sides proved the same e-mail", async () => {
    const tenant = await t.deps.prisma.tenant.findUniqueOrThrow({ where: { slug: "default" } });
    const proven = await t.deps.prisma.user.create({
      data: { tenantId: tenant.id, email: "alice@example.test", emailVerifiedAt: t.clock.now },
    });
    const linked = await refreshWith((await login("google")).res);
    expect(linked.user.id).toBe(proven.id);
    const audit = await t.deps.prisma.authAuditLog.findFirstOrThrow({ where: { eventType: "identity_linked" } });
    expect(audit.details).toMatchObject({ provider: "oauth:google", automatic: true });

    // Discord says the same address is unverified: a separate account, nothing merged.
    peer.accounts.set("mallory", { id: "mallory", email: "alice@example.test", emailVerified: false });
    const other = await refreshWith((await login("discord", "mallory")).res);
    expect(other.user.id).not.toBe(proven.id);
    expect(await t.deps.prisma.identity.count({ where: { userId: proven.id } })).toBe(1);
  });

  it("an existing account whose e-mail we never verified is a CONFLICT, not a merge", async () => {
    const tenant = await t.deps.prisma.tenant.findUniqueOrThrow({ where: { slug: "default" } });
    await t.deps.prisma.user.create({ data: { tenantId: tenant.id, email: "alice@example.test" } });
    const { res, location } = await login("google", "alice", { redirectTo: "http://localhost:3000/login" });
    expect(res.status).toBe(302);
    expect(location.pathname).toBe("/login");
    expect(location.searchParams.get("error")).toBe("CONFLICT");
    expect(cookieOf(res, "atlas_refresh_token")).toBeNull();
    expect(await t.deps.prisma.identity.count()).toBe(0);
    expect((await failures()).at(-1)?.details).toMatchObject({ method: "oauth:google", reason: "identity_conflict" });
  });

  it("a user who owes a second factor comes back with MFA_REQUIRED and the mfaToken in the fragment", async () => {
    await t.deps.prisma.tenant.update({ where: { slug: "default" }, data: { settings: { mfa: "required" } } });
    t.app = (await import("../src/app.ts")).createApp(t.deps);
    const { res, location } = await login("github", "alice", { redirectTo: "http://localhost:3000/login" });
    expect(location.searchParams.get("error")).toBe("MFA_REQUIRED");
    const fragment = new URLSearchParams(location.hash.slice(1));
    expect(fragment.get("methods")).toBe("totp_setup");
    expect(fragment.get("mfaToken")?.length).toBeGreaterThanOrEqual(43);
    expect(cookieOf(res, "atlas_refresh_token")).toBeNull();
    const enroll = await t.app.request("/auth/mfa/enroll", jsonPost({ mfaToken: fragment.get("mfaToken") }));
    expect(enroll.status).toBe(200);
  });

  it("logs in to the tenant named at start, with its audience", async () => {
    await t.deps.prisma.tenant.create({
      data: {
        slug: "acme",
        name: "Acme",
        allowedOrigins: ["http://acme.localhost:3000"],
        allowedMethods: ["oauth:github"],
        jwtAudience: "acme-api",
      },
    });
    const { res } = await login("github", "alice", { tenant: "acme", redirectTo: "http://acme.localhost:3000/" });
    expect(res.headers.get("location")).toBe("http://acme.localhost:3000/");
    const refresh = cookieOf(res, "atlas_refresh_token")?.value;
    const r = await t.app.request("/auth/token/refresh", {
      method: "POST",
      headers: { cookie: `atlas_refresh_token=${refresh}`, "x-tenant": "acme", origin: "http://acme.localhost:3000" },
    });
    const body = (await r.json()) as { accessToken: string; refreshToken: string };
    expect(decodeJwt(body.accessToken).aud).toBe("acme-api");
    // The redirect target is validated against that tenant's origins, not the default's.
    expect((await start("github", { tenant: "acme", redirectTo: "http://localhost:3000/" })).res.status).toBe(400);
  });
});

describe("OAuth attacks are rejected and audited", () => {
  it("state mismatch, no cookie, a replayed callback and an expired flow: 401 INVALID_CREDENTIALS", async () => {
    const a = await start("google");
    const b = await start("google");
    const backB = await peer.authorize(b.location?.href ?? "", "alice");
    // Login CSRF: the attacker's callback (flow B) in the victim's browser (cookie of flow A).
    const mismatch = await callback(backB, a.cookie);
    expect(mismatch.status).toBe(401);
    expect(await mismatch.json()).toMatchObject({ code: "INVALID_CREDENTIALS" });
    const noCookie = await callback(backB, null);
    expect(noCookie.status).toBe(401);
    expect((await failures()).map((f) => (f.details as { reason: string }).reason)).toEqual([
      "state_mismatch",
      "state_mismatch",
    ]);
    expect(await t.deps.prisma.user.count()).toBe(0);

    // The right browser completes once; the same callback again is refused.
    expect((await callback(backB, b.cookie)).status).toBe(302);
    const replay = await callback(backB, b.cookie);
    expect(replay.status).toBe(401);
    expect((await failures()).at(-1)?.details).toMatchObject({ reason: "state_unknown_used_or_expired" });

    const c = await start("github");
    const backC = await peer.authorize(c.location?.href ?? "", "alice");
    t.clock.now = new Date(t.clock.now.getTime() + 10 * 60_000 + 1);
    expect((await callback(backC, c.cookie)).status).toBe(401);
    const noState = await t.app.request("/auth/oauth/github/callback?code=x", {
      headers: { cookie: `atlas_oauth=${c.cookie}` },
    });
    expect(noState.status).toBe(401);
  });

  it("a missing or wrong PKCE verifier: the code is never exchanged without the browser's verifier", async () => {
    const s = await start("github", { redirectTo: "http://localhost:3000/login" });
    const back = await peer.authorize(s.location?.href ?? "", "alice");
    const exchanges = peer.tokenRequests.length;
    const [state] = s.cookie.split(".");
    const missing = await callback(back, state ?? "");
    expect(missing.status).toBe(302);
    expect(new URL(missing.headers.get("location") ?? "").searchParams.get("error")).toBe("INVALID_CREDENTIALS");
    expect(peer.tokenRequests.length).toBe(exchanges);
    expect((await failures()).at(-1)?.details).toMatchObject({
      method: "oauth:github",
      reason: "missing_pkce_verifier",
    });

    const w = await start("discord");
    const backW = await peer.authorize(w.location?.href ?? "", "alice");
    const forged = `${w.cookie.split(".")[0]}.${"A".repeat(43)}`;
    const wrong = await callback(backW, forged);
    expect(new URL(wrong.headers.get("location") ?? "").searchParams.get("error")).toBe("INVALID_CREDENTIALS");
    // The provider saw the forged verifier and refused it (invalid_grant).
    expect(peer.tokenRequests.at(-1)).toEqual({ codeVerifier: "A".repeat(43), status: 400 });
    expect((await failures()).at(-1)?.details).toMatchObject({ reason: "token_exchange_failed" });
    expect(await t.deps.prisma.user.count()).toBe(0);
  });

  it.each([
    ["nonce", (c: Record<string, unknown>) => ({ ...c, nonce: "attacker-nonce" }), /nonce/],
    ["aud", (c: Record<string, unknown>) => ({ ...c, aud: "another-client" }), /aud/],
    ["iss", (c: Record<string, unknown>) => ({ ...c, iss: "https://evil.example" }), /iss/],
    ["exp", (c: Record<string, unknown>) => ({ ...c, exp: Math.floor(Date.now() / 1000) - 3600 }), /exp/],
  ])("an ID token with a wrong %s is rejected", async (_claim, tamper, message) => {
    peer.tamperIdToken = tamper;
    const { res, location } = await login("google");
    expect(res.status).toBe(302);
    expect(location.searchParams.get("error")).toBe("INVALID_CREDENTIALS");
    expect(cookieOf(res, "atlas_refresh_token")).toBeNull();
    const failure = (await failures()).at(-1);
    expect(failure?.details).toMatchObject({ method: "oauth:google", reason: "token_exchange_failed" });
    expect(String((failure?.details as { error?: string } | undefined)?.error)).toMatch(message);
    expect(await t.deps.prisma.user.count()).toBe(0);
  });

  it("an ID token signed with a key the provider never published is rejected", async () => {
    peer.tamperIdToken = (c) => c;
    peer.signWithForeignKey = true;
    const { location } = await login("google");
    expect(location.searchParams.get("error")).toBe("INVALID_CREDENTIALS");
    expect(await t.deps.prisma.user.count()).toBe(0);
  });

  it("the user cancelling at the provider comes back with an error, audited", async () => {
    const s = await start("twitter", { redirectTo: "http://localhost:3000/login" });
    const state = s.location?.searchParams.get("state") ?? "";
    const res = await t.app.request(`/auth/oauth/twitter/callback?error=access_denied&state=${state}`, {
      headers: { cookie: `atlas_oauth=${s.cookie}` },
    });
    expect(res.headers.get("location")).toBe("http://localhost:3000/login?error=INVALID_CREDENTIALS");
    expect((await failures()).at(-1)?.details).toMatchObject({ reason: "provider_error", error: "access_denied" });
  });

  it("a callback on another provider's path than the flow's is refused", async () => {
    const s = await start("github");
    const back = await peer.authorize(s.location?.href ?? "", "alice");
    const res = await t.app.request(`/auth/oauth/discord/callback${back.search}`, {
      headers: { cookie: `atlas_oauth=${s.cookie}` },
    });
    expect(res.status).toBe(401);
    expect((await failures()).at(-1)?.details).toMatchObject({ reason: "provider_mismatch" });
  });
});

describe("explicit linking of a provider", () => {
  async function link(auth: Record<string, string>, provider: Provider, account: string) {
    const res = await t.app.request(
      `/auth/identities/oauth/${provider}`,
      jsonPost({ redirectTo: "http://localhost:3000/account" }, auth),
    );
    expect(res.status).toBe(200);
    const { url } = (await res.json()) as { url: string };
    const cookie = cookieOf(res, "atlas_oauth")?.value ?? "";
    const back = await peer.authorize(url, account);
    const done = await callback(back, cookie);
    return { done, location: new URL(done.headers.get("location") ?? "") };
  }

  it("links to the logged-in user, lists it in /auth/me, and refuses another user's identity", async () => {
    const me = await loginTestUser(t);
    const { done, location } = await link(me.auth, "github", "alice");
    expect(location.href).toBe("http://localhost:3000/account?linked=github");
    expect(cookieOf(done, "atlas_refresh_token")).toBeNull();
    const profile = (await (await t.app.request("/auth/me", { headers: me.auth })).json()) as {
      identities: { provider: string }[];
    };
    expect(profile.identities.map((i) => i.provider)).toEqual(["oauth:github"]);
    const audit = await t.deps.prisma.authAuditLog.findFirstOrThrow({ where: { eventType: "identity_linked" } });
    expect(audit).toMatchObject({ userId: me.user.id, details: { provider: "oauth:github", automatic: false } });

    // Logging in with that GitHub account now logs in this user.
    expect((await refreshWith((await login("github")).res)).user.id).toBe(me.user.id);

    const other = await loginTestUser(t);
    const taken = await link(other.auth, "github", "alice");
    expect(taken.location.searchParams.get("error")).toBe("CONFLICT");
    expect(await t.deps.prisma.identity.count({ where: { userId: other.user.id } })).toBe(0);
  });

  it("requires authentication", async () => {
    const res = await t.app.request("/auth/identities/oauth/github", jsonPost({}));
    expect(res.status).toBe(401);
  });
});
