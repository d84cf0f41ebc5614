// OpenID Provider resources for the authorization matrix (test/authz-matrix.test.ts): a tenant's
// client, a user's consent to one (a connected app), and a sign-in request waiting for that user's
// consent. Each is created the way the product creates it: the admin API, and the real
// authorization flow on service-auth's listening server (oidc-provider answers on the Node request).
import { randomBytes } from "node:crypto";
import type { TestApp } from "../../service-auth/test/harness.ts";
import { Browser } from "../../service-auth/test/oidc-fixtures.ts";

const REDIRECT_URI = "http://127.0.0.1:9/callback";

/** Registers a confidential client of `tenantId` through the admin API; returns its id (32 hex). */
export async function oidcClientOf(auth: TestApp, tenantId: string, admin: Record<string, string>): Promise<string> {
  const res = await auth.app.request(`/admin/tenants/${tenantId}/clients`, {
    method: "POST",
    headers: { ...admin, "content-type": "application/json" },
    body: JSON.stringify({
      name: "Matrix app",
      redirectUris: [REDIRECT_URI],
      allowedScopes: ["openid", "profile", "email"],
      tokenEndpointAuthMethod: "client_secret_basic",
    }),
  });
  if (res.status !== 201) throw new Error(`fixture client: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { client: { clientId: string } }).client.clientId;
}

/**
 * A sign-in request of the user (`userToken`, tenant `slug`) to a new client, taken through its
 * login prompt by that user: what remains is the consent prompt, owned by the user who logged in.
 * Returns the consent interaction's uid and the client's id.
 */
export async function consentInteractionOf(
  auth: TestApp,
  slug: string,
  tenantId: string,
  admin: Record<string, string>,
  userToken: string,
): Promise<{ uid: string; clientId: string }> {
  const clientId = await oidcClientOf(auth, tenantId, admin);
  const base = auth.deps.config.PUBLIC_URL;
  const authorize = new URL(`${base}/t/${slug}/authorize`);
  authorize.search = new URLSearchParams({
    client_id: clientId,
    response_type: "code",
    redirect_uri: REDIRECT_URI,
    scope: "openid profile",
    code_challenge: randomBytes(32).toString("base64url"),
    code_challenge_method: "S256",
    state: randomBytes(8).toString("hex"),
  }).toString();
  const browser = new Browser();
  const started = await browser.follow(authorize.href, base);
  let location = started.location;
  if (!location) throw new Error(`fixture authorize: ${started.response.status} ${await started.response.text()}`);
  for (const step of ["login", "consent"]) {
    const uid = location?.pathname.split("/").at(-1);
    if (!uid || location?.href.startsWith(REDIRECT_URI)) throw new Error(`fixture interaction: at ${location}`);
    const view = await auth.app.request(`/t/${slug}/interactions/${uid}`);
    const { prompt } = (await view.json()) as { prompt: string };
    if (prompt !== step) throw new Error(`fixture interaction: prompt ${prompt}, expected ${step}`);
    if (step === "consent") return { uid, clientId };
    const res = await auth.app.request(`/t/${slug}/interactions/${uid}/login`, {
      method: "POST",
      headers: { authorization: `Bearer ${userToken}` },
    });
    if (res.status !== 200) throw new Error(`fixture login: ${res.status} ${await res.text()}`);
    ({ location } = await browser.follow(((await res.json()) as { redirectTo: string }).redirectTo, base));
  }
  throw new Error("unreachable");
}

/** A connected app of the user: a client of the tenant and the user's consent to it, granted on the consent prompt. */
export async function connectedAppOf(
  auth: TestApp,
  slug: string,
  tenantId: string,
  admin: Record<string, string>,
  userToken: string,
): Promise<string> {
  const { uid, clientId } = await consentInteractionOf(auth, slug, tenantId, admin, userToken);
  const res = await auth.app.request(`/t/${slug}/interactions/${uid}/consent`, {
    method: "POST",
    headers: { authorization: `Bearer ${userToken}` },
  });
  if (res.status !== 200) throw new Error(`fixture consent: ${res.status} ${await res.text()}`);
  return clientId;
}
