// Atlas as an OpenID Provider for a tenant's own app (issue 23), end to end in Chromium: the
// example relying party (examples/oidc-rp, openid-client 6.9.0 on a local port) sends the browser
// to tenant "acme"'s issuer; the web-app's hosted page signs the user in (passkey, SIWE, TOTP for
// acr mfa) and asks for consent; the app exchanges the code, and the ID token is checked with jose
// against the issuer's JWKS. Then refresh, prompt=none, RP-initiated logout, and Connected apps.
import { freePort } from "@atlas/db";
import { createRemoteJWKSet, jwtVerify } from "jose";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RelyingParty, type RpSession, startRelyingParty } from "../examples/oidc-rp/server.mjs";
import { emailLogin, skipBrowser, startWebStack, type WebStack } from "./web/harness.ts";
import {
  addTenantPasskey,
  answerTotp,
  confirmLogout,
  createBrandedTenant,
  enableTenantTotp,
  platformAdmin,
  registerClient,
  tenantEmailLogin,
  tenantId,
} from "./web/oidc.ts";
import { newWalletKeys, walletInitScript } from "./web/wallets.ts";

const APP = "Acme Dashboard";
const BRAND = { name: "Acme Cloud", primaryColor: "#0f766e", supportEmail: "help@acme.example" };

describe.skipIf(skipBrowser)("OpenID Provider: a tenant's app signs its users in with Atlas", () => {
  let stack: WebStack;
  let rp: RelyingParty;
  let issuer = "";
  let clientId = "";
  let jwks: ReturnType<typeof createRemoteJWKSet>;

  beforeAll(async () => {
    stack = await startWebStack();
    const admin = await platformAdmin(stack);
    const acme = await createBrandedTenant(stack, admin, {
      slug: "acme",
      name: "Acme",
      methods: ["email", "passkey", "siwe"],
      brand: BRAND,
    });
    const port = await freePort();
    const client = await registerClient(stack, admin, acme, `http://localhost:${port}`, { name: APP });
    issuer = `${stack.authUrl}/t/acme`;
    clientId = client.clientId;
    rp = await startRelyingParty({ issuer, ...client, port });
    jwks = createRemoteJWKSet(new URL(`${issuer}/jwks`));
  });
  afterAll(async () => {
    await rp?.close();
    await stack?.close();
  });

  /** The app's one signed-in browser session (the test drives one browser at a time). */
  function rpSession(): RpSession {
    const signedIn = [...rp.sessions.values()].filter((s) => s.tokens);
    expect(signedIn).toHaveLength(1);
    return signedIn[0] as RpSession;
  }

  /** Verifies the ID token as an app's backend would, with jose against the issuer's JWKS. */
  async function verifiedIdToken(session: RpSession) {
    const idToken = session.tokens?.id_token ?? "";
    const { payload, protectedHeader } = await jwtVerify(idToken, jwks, {
      issuer,
      audience: clientId,
      algorithms: ["RS256"],
    });
    const published = (await (await fetch(`${issuer}/jwks`)).json()) as { keys: { kid: string }[] };
    expect(published.keys.map((k) => k.kid)).toContain(protectedHeader.kid); // the platform keys, by kid
    expect(payload.azp).toBe(clientId);
    expect(payload.nonce).toBe(session.claims?.nonce); // openid-client matched it to the app's own
    expect(payload.nonce).toEqual(expect.any(String));
    expect(payload.auth_time).toEqual(expect.any(Number));
    return payload as typeof payload & { amr: string[]; acr: string };
  }

  /** The hosted page of tenant acme for the app: branded, with acme's methods. */
  async function atHostedLogin(page: Page) {
    await page.getByRole("heading", { name: `Sign in to continue to ${APP}` }).waitFor();
    expect(new URL(page.url()).pathname).toMatch(/^\/oidc\/acme\/[A-Za-z0-9_-]+$/);
    await page.getByRole("heading", { name: BRAND.name, level: 1 }).waitFor();
    await page.getByRole("link", { name: BRAND.supportEmail }).waitFor();
  }

  /**
   * Signs in on the hosted page with a passkey the user registered elsewhere, handed to this
   * browser only now: the page's autofill request started without one, so the button does it.
   */
  async function passkeyOnHostedPage(page: Page, slug: string, accessToken: string) {
    await addTenantPasskey(stack, page, slug, accessToken);
    await page.getByRole("button", { name: "Sign in with a passkey" }).click();
  }

  async function allow(page: Page, screenshot?: string) {
    await page.getByRole("heading", { name: `${APP} wants to use your Acme account` }).waitFor();
    await page.getByText(`You'll go back to`).waitFor();
    await page.getByText("See your e-mail address").waitFor();
    if (screenshot) await stack.screenshot(page, screenshot);
    await page.getByRole("button", { name: "Allow" }).click();
    await page.waitForURL(`${rp.url}/`);
  }

  it("passkey: hosted login, consent, code, ID token, userinfo, refresh, prompt=none, logout", async () => {
    const page = await stack.newPage();
    // The user also has the web-app's own session (tenant default): the hosted login must keep it.
    await emailLogin(stack, page, "own-session@example.com");
    await page.getByText("You're signed in").waitFor();

    const email = "passkey-user@example.com";
    const token = await tenantEmailLogin(stack, "acme", email);
    await page.goto(`${rp.url}/login`);
    await atHostedLogin(page);
    await stack.screenshot(page, "oidc-hosted-login");
    await passkeyOnHostedPage(page, "acme", token);
    await allow(page, "oidc-consent");
    await page.getByText(`Signed in as ${email}`).waitFor();

    const session = rpSession();
    const claims = await verifiedIdToken(session);
    expect(claims.amr).toContain("hwk");
    expect(claims.acr).toBe("urn:atlas:acr:1fa");
    const user = await stack.t.deps.prisma.user.findFirstOrThrow({ where: { email, tenant: { slug: "acme" } } });
    expect(claims.sub).toBe(user.id);

    await page.goto(`${rp.url}/me`);
    const info = JSON.parse((await page.textContent("body")) ?? "{}") as Record<string, unknown>;
    expect(info).toMatchObject({ sub: user.id, email, email_verified: true });

    // Refresh: a new access token and a rotated refresh token.
    const before = { ...session.tokens };
    await page.goto(`${rp.url}/refresh`);
    await page.getByText(`Signed in as ${email}`).waitFor();
    expect(session.tokens?.access_token).not.toBe(before.access_token);
    expect(session.tokens?.refresh_token).not.toBe(before.refresh_token);

    // prompt=none while signed in at the provider: straight back with a code, no page of ours.
    const hosted: string[] = [];
    page.on("request", (r) => r.url().startsWith(`${stack.webUrl}/oidc/`) && hosted.push(r.url()));
    await page.goto(`${rp.url}/login?prompt=none`);
    await page.getByText(`Signed in as ${email}`).waitFor();
    expect(hosted).toEqual([]);
    expect(rpSession().error).toBeNull();

    // RP-initiated logout (post_logout_redirect_uri allow-listed), then prompt=none fails.
    await page.goto(`${rp.url}/logout`);
    await confirmLogout(page, rp.postLogoutRedirectUri);
    await page.goto(`${rp.url}/login?prompt=none`);
    await page.getByText("login_required").waitFor();
    expect(hosted).toEqual([]);

    // The web-app's own session of tenant default survived all of it.
    await page.goto(`${stack.webUrl}/account`);
    await page.getByText("You're signed in as").waitFor();
    await page.getByText(/You're signed in as own-session@example\.com/).waitFor();
    await page.close();
  });

  it("SIWE: signs in with an Ethereum wallet; userinfo names the wallet address", async () => {
    const keys = newWalletKeys();
    const page = await stack.newPage();
    await page.addInitScript({ content: await walletInitScript(keys) });
    for (const s of rp.sessions.values()) s.tokens = null;
    await page.goto(`${rp.url}/login`);
    await atHostedLogin(page);
    await page.getByRole("button", { name: "Ethereum · Test Wallet" }).click();
    await allow(page);
    const session = rpSession();
    const claims = await verifiedIdToken(session);
    expect(claims.amr).toContain("wallet");
    const identity = await stack.t.deps.prisma.identity.findFirstOrThrow({
      where: { provider: "siwe", tenantId: await tenantId(stack, "acme") },
    });
    await page.goto(`${rp.url}/me`);
    const info = JSON.parse((await page.textContent("body")) ?? "{}") as Record<string, unknown>;
    expect(info.sub).toBe(claims.sub);
    const address = identity.subject.toLowerCase();
    expect(String(info.wallet_address).toLowerCase()).toContain(address);
    await page.close();
  });

  it("a magic link asked for on the hosted page comes back to the request; Deny returns access_denied", async () => {
    const page = await stack.newPage();
    for (const s of rp.sessions.values()) s.tokens = null;
    const email = "link-user@example.com";
    await page.goto(`${rp.url}/login`);
    await atHostedLogin(page);
    const uid = new URL(page.url()).pathname.split("/").pop();
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Email").press("Enter");
    const { link } = await stack.lastMessage("email", email);
    // The link is the web-app's (the tenant's allowed origin); opened in this browser, it resumes
    // the request it was asked for, signed in to tenant acme.
    expect(link?.startsWith(`${stack.webUrl}/auth/callback?token=`)).toBe(true);
    await page.goto(link ?? "");
    await page.getByRole("heading", { name: `${APP} wants to use your Acme account` }).waitFor();
    expect(new URL(page.url()).pathname).not.toContain(uid); // a new interaction: the consent prompt
    await page.getByRole("button", { name: "Deny" }).click();
    await page.waitForURL(`${rp.url}/`);
    await page.getByText("access_denied").waitFor();
    const user = await stack.t.deps.prisma.user.findFirstOrThrow({ where: { email, tenant: { slug: "acme" } } });
    expect(user.email).toBe(email);
    await page.close();
  });

  it("acr_values=urn:atlas:acr:mfa forces the second factor", async () => {
    const page = await stack.newPage();
    const email = "mfa-user@example.com";
    const token = await tenantEmailLogin(stack, "acme", email);
    const secret = await enableTenantTotp(stack, "acme", token);
    for (const s of rp.sessions.values()) s.tokens = null;
    await page.goto(`${rp.url}/login?acr_values=${encodeURIComponent("urn:atlas:acr:mfa")}`);
    await atHostedLogin(page);
    await passkeyOnHostedPage(page, "acme", token);
    // The login (or the provider, through a step-up) asks for the code.
    await page.getByLabel("Authentication code").waitFor();
    await stack.screenshot(page, "oidc-mfa");
    await answerTotp(page, secret);
    await allow(page);
    const claims = await verifiedIdToken(rpSession());
    expect(claims.acr).toBe("urn:atlas:acr:mfa");
    expect(claims.amr).toContain("mfa");
    await page.close();
  });

  it("Connected apps lists the consent; revoking it asks again and kills the old refresh token", async () => {
    // A default-tenant app, so its user can open the web-app's account pages.
    const admin = await platformAdmin(stack, "op-admin-2@example.com");
    const port = await freePort();
    const client = await registerClient(stack, admin, await tenantId(stack, "default"), `http://localhost:${port}`, {
      name: "Default Notes",
    });
    const notes = await startRelyingParty({ issuer: `${stack.authUrl}/t/default`, ...client, port });
    try {
      const page = await stack.newPage();
      const email = "connected@example.com";
      await emailLogin(stack, page, email);
      await page.getByText("You're signed in").waitFor();
      await page.goto(`${notes.url}/login`);
      // Already signed in to the web-app, but the provider has no session yet: sign in there.
      await page.getByRole("heading", { name: "Sign in to continue to Default Notes" }).waitFor();
      await passkeyOnHostedPage(page, "default", await tenantEmailLogin(stack, "default", email));
      await page.getByRole("heading", { name: /Default Notes wants to use your/ }).waitFor();
      await page.getByRole("button", { name: "Allow" }).click();
      await page.waitForURL(`${notes.url}/`);
      const session = [...notes.sessions.values()].find((s) => s.tokens);
      const oldRefresh = session?.tokens?.refresh_token;
      expect(oldRefresh).toEqual(expect.any(String));

      await page.goto(`${stack.webUrl}/account/apps`);
      await page.getByRole("heading", { name: "Connected apps", level: 1 }).waitFor();
      await page.getByText("Default Notes").waitFor();
      await page.getByText("See your e-mail address").waitFor();
      await stack.screenshot(page, "connected-apps");
      await page.getByRole("button", { name: "Revoke" }).click();
      await page.getByRole("button", { name: "Revoke access" }).click();
      await page.getByText("No apps are connected").waitFor();
      // The activity log tells the story in words.
      await page.getByRole("link", { name: "Activity" }).click();
      await page
        .getByText(/^You let an app use your account/)
        .first()
        .waitFor();
      await page
        .getByText(/^An app signed you in/)
        .first()
        .waitFor();
      await page
        .getByText(/^You took an app's access away/)
        .first()
        .waitFor();

      // The app's refresh token is dead; the next authorization asks for consent again.
      await page.goto(`${notes.url}/refresh`);
      await page.getByText(/refresh failed/).waitFor();
      await page.goto(`${notes.url}/login`);
      // The provider still knows the user, but this tab no longer holds a token: sign in (the
      // passkey autofill may do it first), then the consent is asked for again.
      const consentAgain = page.getByRole("heading", { name: /Default Notes wants to use your/ });
      await Promise.race([
        consentAgain.waitFor(),
        page
          .getByRole("button", { name: "Sign in with a passkey" })
          .click()
          .catch(() => undefined),
      ]);
      await consentAgain.waitFor();
      await page.close();
    } finally {
      await notes.close();
    }
  });
});
