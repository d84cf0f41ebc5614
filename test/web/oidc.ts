// Helpers of the OpenID Provider's browser tests (issue 23): a tenant with a brand, a registered
// client, and users of that tenant with a passkey or TOTP, set up over the public API as an
// operator and the user would (X-Tenant names the tenant; no Origin, so tokens come in the body).
import type { Page } from "playwright-core";
import { SoftAuthenticator } from "../../service-auth/test/soft-authenticator.ts";
import { api, totpNow, virtualAuthenticator, type WebStack } from "./harness.ts";

export interface OpClient {
  clientId: string;
  clientSecret: string;
}

/** A platform admin's access token (an admin of the default tenant). */
export async function platformAdmin(stack: WebStack, email = "op-admin@example.com"): Promise<string> {
  await tenantEmailLogin(stack, "default", email);
  const tenant = await stack.t.deps.prisma.tenant.findUniqueOrThrow({ where: { slug: "default" } });
  await stack.t.deps.prisma.user.update({
    where: { tenantId_email: { tenantId: tenant.id, email } },
    data: { roles: ["admin"] },
  });
  return tenantEmailLogin(stack, "default", email); // a new token carries the role
}

/** Creates tenant `slug` (the web-app's origin allowed) with a brand; its id. */
export async function createBrandedTenant(
  stack: WebStack,
  admin: string,
  input: { slug: string; name: string; methods: string[]; brand?: Record<string, string> },
): Promise<string> {
  const { id } = await api<{ id: string }>(stack, "/admin/tenants", {
    token: admin,
    body: {
      name: input.name,
      slug: input.slug,
      allowedOrigins: [stack.webUrl],
      allowedMethods: input.methods,
      jwtAudience: `https://api.${input.slug}.example`,
    },
  });
  if (input.brand)
    await api(stack, `/admin/tenants/${id}`, { method: "PATCH", token: admin, body: { brand: input.brand } });
  return id;
}

/** The id of an existing tenant (e.g. `default`). */
export async function tenantId(stack: WebStack, slug: string): Promise<string> {
  return (await stack.t.deps.prisma.tenant.findUniqueOrThrow({ where: { slug } })).id;
}

/** Registers a confidential client of the tenant whose redirect URIs are on `rpOrigin`. */
export async function registerClient(
  stack: WebStack,
  admin: string,
  tenant: string,
  rpOrigin: string,
  input: { name: string; firstParty?: boolean },
): Promise<OpClient> {
  const created = await api<{ client: { clientId: string }; clientSecret: string }>(
    stack,
    `/admin/tenants/${tenant}/clients`,
    {
      token: admin,
      body: {
        name: input.name,
        redirectUris: [`${rpOrigin}/callback`],
        postLogoutRedirectUris: [`${rpOrigin}/logged-out`],
        allowedScopes: ["openid", "profile", "email", "phone", "offline_access"],
        firstParty: input.firstParty ?? false,
        tokenEndpointAuthMethod: "client_secret_basic",
      },
    },
  );
  return { clientId: created.client.clientId, clientSecret: created.clientSecret };
}

/** Signs up (or in) a user of tenant `slug` with an e-mail link over the API: the access token. */
export async function tenantEmailLogin(stack: WebStack, slug: string, email: string): Promise<string> {
  const headers = { "x-tenant": slug };
  const latest = async () => (await stack.outbox()).find((m) => m.channel === "email" && m.to === email)?.token;
  const before = await latest();
  await api(stack, "/auth/email/start", { body: { email }, headers });
  let token = await latest();
  for (let i = 0; i < 50 && (!token || token === before); i++) {
    await new Promise((r) => setTimeout(r, 100));
    token = await latest();
  }
  return (await api<{ accessToken: string }>(stack, "/auth/email/verify", { body: { token }, headers })).accessToken;
}

/**
 * Gives the holder of `accessToken` (a user of tenant `slug`) a passkey, and puts it in the
 * page's CDP virtual authenticator, as if it had been created in this browser.
 */
export async function addTenantPasskey(stack: WebStack, page: Page, slug: string, accessToken: string): Promise<void> {
  const soft = new SoftAuthenticator(stack.webUrl);
  const headers = { origin: stack.webUrl, "x-tenant": slug };
  const options = await api<{ challenge: string; user: { id: string } }>(stack, "/auth/passkey/register/options", {
    token: accessToken,
    body: {},
    headers,
  });
  await api(stack, "/auth/passkey/register/verify", {
    token: accessToken,
    body: { response: soft.create(options) },
    headers,
  });
  const { cdp, authenticatorId } = await virtualAuthenticator(stack, page);
  await cdp.send("WebAuthn.addCredential", {
    authenticatorId,
    credential: {
      credentialId: soft.credentialId.toString("base64"),
      isResidentCredential: true,
      rpId: "localhost",
      privateKey: (soft.privateKey.export({ format: "der", type: "pkcs8" }) as Buffer).toString("base64"),
      userHandle: Buffer.from(options.user.id, "base64url").toString("base64"),
      signCount: 1,
    },
  });
}

/** Turns TOTP on for a user of tenant `slug`: its secret. */
export async function enableTenantTotp(stack: WebStack, slug: string, accessToken: string): Promise<string> {
  const headers = { "x-tenant": slug };
  const { secret } = await api<{ secret: string }>(stack, "/auth/mfa/totp/setup", {
    token: accessToken,
    method: "POST",
    headers,
  });
  // The previous step's code: the current and next steps stay free for the browser.
  const code = await totpNow(secret, Date.now() - 30_000);
  await api(stack, "/auth/mfa/totp/enable", { token: accessToken, body: { code }, headers });
  return secret;
}

/** Answers whatever second-factor card the page shows (login or step-up) with a TOTP code. */
export async function answerTotp(page: Page, secret: string): Promise<void> {
  const app = page.getByRole("radio", { name: "Authenticator app" });
  if ((await app.count()) > 0) await app.check();
  await page.getByLabel("Authentication code").fill(await totpNow(secret));
  await page.getByRole("button", { name: "Verify" }).click();
}

/** Confirms oidc-provider's end-session question when it asks (RP-initiated logout). */
export async function confirmLogout(page: Page, loggedOut: string): Promise<void> {
  if (page.url().startsWith(loggedOut)) return;
  const yes = page.locator('button[name="logout"][value="yes"], button[type="submit"]').first();
  await Promise.race([yes.waitFor({ timeout: 10_000 }), page.waitForURL(`${loggedOut}**`, { timeout: 10_000 })]);
  if (!page.url().startsWith(loggedOut)) await yes.click();
  await page.waitForURL(`${loggedOut}**`);
}
