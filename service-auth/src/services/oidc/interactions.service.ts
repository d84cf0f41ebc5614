// The hosted login and consent pages' side of an OP interaction (the web-app's /oidc/:slug/:uid):
// what the page shows, and the results it submits with the user's Atlas access token. Results are
// stored on oidc-provider's Interaction; the browser then resumes it at `redirectTo`.
import { AppError } from "@atlas/errors";
import type { Interaction, default as Provider } from "oidc-provider";
import type { Deps } from "../../ports.ts";
import { recordAudit } from "../audit/audit.service.ts";
import type { RequestContext } from "../login/request-context.ts";
import { issueMfaToken, mfaMethodsOf } from "../mfa/mfa.service.ts";
import type { ResolvedTenant } from "../tenancy/tenant.service.ts";
import { isSessionActive } from "../tokens/session.service.ts";
import { rememberConsent } from "./consent.service.ts";
import { ACR_1FA, ACR_MFA, apiResource, mfaRequested } from "./provider.ts";

/** Grace for a login that completes just before the request it answers was stored. */
const SKEW_MS = 5_000;

export interface InteractionView {
  uid: string;
  prompt: "login" | "consent";
  client: { clientId: string; name: string; logoUri: string | null; redirectHost: string; firstParty: boolean };
  scopes: string[];
  requireMfa: boolean;
  maxAge: number | null;
  loginHint: string | null;
  tenant: {
    slug: string;
    name: string;
    brand: { name: string; logoUrl: string | null; primaryColor: string | null; supportEmail: string | null };
  };
}

const str = (v: unknown): string | null => (typeof v === "string" && v !== "" ? v : null);

async function load(provider: Provider, uid: string): Promise<Interaction> {
  const interaction = /^[A-Za-z0-9_-]{10,64}$/.test(uid)
    ? ((await provider.Interaction.find(uid)) as Interaction | undefined)
    : undefined;
  if (!interaction) throw new AppError("NOT_FOUND", { detail: "Unknown or expired sign-in request" });
  return interaction;
}

async function clientOf(provider: Provider, interaction: Interaction) {
  const client = await provider.Client.find(String(interaction.params.client_id));
  if (!client) throw new AppError("NOT_FOUND", { detail: "The client of this sign-in request no longer exists" });
  return client;
}

/** What the hosted page shows for an interaction; 404 NOT_FOUND when unknown or expired. */
export async function interactionView(
  provider: Provider,
  tenant: ResolvedTenant,
  uid: string,
): Promise<InteractionView> {
  const interaction = await load(provider, uid);
  const client = await clientOf(provider, interaction);
  const params = interaction.params;
  const allowed = new Set(String(client.scope ?? "").split(" "));
  const redirect = str(params.redirect_uri);
  const maxAge = str(params.max_age);
  return {
    uid: interaction.uid,
    prompt: interaction.prompt.name === "consent" ? "consent" : "login",
    client: {
      clientId: client.clientId,
      name: client.clientName ?? client.clientId,
      logoUri: client.logoUri ?? null,
      redirectHost: redirect && URL.canParse(redirect) ? new URL(redirect).host : "",
      firstParty: (client as unknown as { atlas_first_party?: boolean }).atlas_first_party === true,
    },
    scopes: String(params.scope ?? "")
      .split(" ")
      .filter((s) => s && allowed.has(s)),
    requireMfa: mfaRequested(params.acr_values),
    maxAge: maxAge !== null && /^\d+$/.test(maxAge) ? Number(maxAge) : null,
    loginHint: str(params.login_hint),
    tenant: {
      slug: tenant.slug,
      name: tenant.name,
      brand: {
        name: tenant.brand.name ?? tenant.name,
        logoUrl: tenant.brand.logoUrl ?? null,
        primaryColor: tenant.brand.primaryColor ?? null,
        supportEmail: tenant.brand.supportEmail ?? null,
      },
    },
  };
}

/** The signed-in Atlas user behind a bearer token, for this tenant only (403 for another tenant's). */
async function caller(deps: Deps, tenant: ResolvedTenant, token: string | null) {
  if (!token) throw new AppError("INVALID_TOKEN", { detail: "Authentication required" });
  const now = deps.now();
  const claims = await deps.jwt.verify(token, now);
  if (claims.tid !== tenant.id || claims.aud !== tenant.jwtAudience) {
    throw new AppError("FORBIDDEN", { detail: "This token belongs to another tenant" });
  }
  if (!(await isSessionActive(deps, claims.sid, now)))
    throw new AppError("INVALID_TOKEN", { detail: "Session revoked or expired" });
  const session = await deps.prisma.session.findUnique({ where: { id: claims.sid } });
  if (!session) throw new AppError("INVALID_TOKEN", { detail: "Session revoked or expired" });
  const authTime = Math.max(session.createdAt.getTime(), session.mfaVerifiedAt?.getTime() ?? 0);
  return { userId: claims.sub, sessionId: session.id, amr: session.amr, authTime };
}

async function finish(interaction: Interaction, result: Record<string, unknown>): Promise<string> {
  interaction.result = { ...interaction.lastSubmission, ...result };
  await interaction.save(remainingTtl(interaction));
  return interaction.returnTo;
}

/** The interaction's remaining life, on oidc-provider's clock (the system clock: it sets `exp`). */
const remainingTtl = (interaction: Interaction) => Math.max(1, interaction.exp - Math.floor(Date.now() / 1000));

/**
 * Completes the login prompt with the caller's Atlas session: `sub`, `amr`, `auth_time`. 401
 * MFA_REQUIRED when the request asks for MFA and the session has none; 401 INVALID_TOKEN ("sign
 * in again") when prompt=login or max_age ask for a newer login than the session's.
 */
export async function submitLogin(
  deps: Deps,
  provider: Provider,
  tenant: ResolvedTenant,
  uid: string,
  token: string | null,
  context: RequestContext,
): Promise<string> {
  const interaction = await load(provider, uid);
  const user = await caller(deps, tenant, token);
  const params = interaction.params;
  if (mfaRequested(params.acr_values) && !user.amr.includes("mfa")) {
    // The usual step-up answer (mfaToken + methods; POST /auth/mfa/verify gives a token whose
    // session amr includes mfa). A user without a second factor gets no methods: enrol first.
    const methods = await mfaMethodsOf(deps, user.userId);
    if (methods.length === 0) {
      throw new AppError("MFA_REQUIRED", {
        detail: "This app asks for a second factor: set one up (TOTP or a passkey) and sign in again",
        extensions: { methods: [] },
      });
    }
    throw await issueMfaToken(deps, {
      tenantId: tenant.id,
      userId: user.userId,
      data: { purpose: "step_up", amr: user.amr, sessionId: user.sessionId },
      methods,
      context,
    });
  }
  const stored = await deps.prisma.oidcPayload.findUnique({
    where: { tenantId_kind_id: { tenantId: tenant.id, kind: "Interaction", id: uid } },
    select: { createdAt: true },
  });
  const requestedAt = stored?.createdAt.getTime() ?? 0;
  const promptLogin = String(params.prompt ?? "")
    .split(" ")
    .includes("login");
  const maxAge = str(params.max_age);
  const now = deps.now().getTime();
  const tooOld =
    (promptLogin && user.authTime < requestedAt - SKEW_MS) ||
    (maxAge !== null && /^\d+$/.test(maxAge) && user.authTime < now - Number(maxAge) * 1000);
  if (tooOld) throw new AppError("INVALID_TOKEN", { detail: "sign in again" });
  return finish(interaction, {
    login: {
      accountId: user.userId,
      amr: user.amr,
      acr: user.amr.includes("mfa") ? ACR_MFA : ACR_1FA,
      ts: Math.floor(user.authTime / 1000),
      remember: true,
    },
  });
}

/**
 * Grants the requested scopes (those the client may ask for) and remembers the consent per
 * (user, client, scopes). The caller must be the user who logged in. Audited.
 */
export async function submitConsent(
  deps: Deps,
  provider: Provider,
  tenant: ResolvedTenant,
  uid: string,
  token: string | null,
  context: RequestContext,
): Promise<string> {
  const interaction = await load(provider, uid);
  const user = await caller(deps, tenant, token);
  const accountId = interaction.session?.accountId;
  if (interaction.prompt.name !== "consent" || !accountId) {
    throw new AppError("CONFLICT", { detail: "This sign-in request is not waiting for consent" });
  }
  if (accountId !== user.userId) throw new AppError("FORBIDDEN", { detail: "Another user signed in to this request" });
  const client = await clientOf(provider, interaction);
  const allowed = new Set(String(client.scope ?? "").split(" "));
  const scopes = String(interaction.params.scope ?? "")
    .split(" ")
    .filter((s) => s && allowed.has(s));
  const details = interaction.prompt.details as {
    missingOIDCClaims?: string[];
    missingResourceScopes?: Record<string, string[]>;
  };
  const grant = interaction.grantId
    ? ((await provider.Grant.find(interaction.grantId)) ?? new provider.Grant({ accountId, clientId: client.clientId }))
    : new provider.Grant({ accountId, clientId: client.clientId });
  grant.addOIDCScope(scopes.join(" "));
  if (details.missingOIDCClaims?.length) grant.addOIDCClaims(details.missingOIDCClaims);
  for (const [resource, list] of Object.entries(details.missingResourceScopes ?? {})) {
    grant.addResourceScope(resource, list.join(" "));
  }
  grant.addResourceScope(apiResource(tenant), scopes.filter((s) => s !== "offline_access").join(" "));
  const grantId = await grant.save();
  const now = deps.now();
  await deps.prisma.$transaction(async (tx) => {
    await rememberConsent(tx, { userId: accountId, clientId: client.clientId, tenantId: tenant.id, scopes }, now);
    await recordAudit(
      tx,
      {
        eventType: "oidc_consent_granted",
        tenantId: tenant.id,
        userId: accountId,
        context,
        details: { clientId: client.clientId, scopes },
      },
      now,
    );
  });
  return finish(interaction, { consent: { grantId } });
}

/** Ends the interaction with error=access_denied for the client. */
export async function abortInteraction(provider: Provider, uid: string): Promise<string> {
  const interaction = await load(provider, uid);
  interaction.result = { error: "access_denied", error_description: "The user cancelled the sign-in" };
  await interaction.save(remainingTtl(interaction));
  return interaction.returnTo;
}
