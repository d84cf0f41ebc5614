import { AppError, type ErrorCode } from "@atlas/errors";
import type { Prisma, User } from "../../../../generated/prisma/client.ts";
import type { Deps } from "../../../ports.ts";
import { retryOnUniqueViolation } from "../../accounts/user.service.ts";
import { type AuditEvent, recordAudit } from "../../audit/audit.service.ts";
import { CHALLENGE_KINDS, consumeChallenge, issueChallenge } from "../../challenges/challenge-store.ts";
import { completeLogin } from "../../login/complete-login.ts";
import type { OAuthProviderName } from "../../login/method-ids.ts";
import type { RequestContext } from "../../login/request-context.ts";
import { countLogin } from "../../platform/business-metrics.ts";
import { constantTimeEqual } from "../../platform/crypto.ts";
import { type ResolvedTenant, resolveTenantById } from "../../tenancy/tenant.service.ts";
import type { TokenResponse } from "../../tokens/session.service.ts";
import { methodOf, type OAuthProfile, openidClient, ProviderError } from "./providers.ts";

/** The browser-binding cookie of an OAuth flow: `<state>.<PKCE verifier>`, HttpOnly, Lax. */
export const OAUTH_COOKIE = "atlas_oauth";
export const OAUTH_FLOW_TTL_MS = CHALLENGE_KINDS.oauth_state.ttlMs;

/**
 * Starts an OAuth login (or, with `linkUserId`, the explicit linking of a provider to a logged-in
 * user): a fresh `state`, PKCE verifier (S256) and, for OIDC, `nonce`. The flow is stored by the
 * hash of its state, single use and short-lived; the verifier lives only in the browser's cookie,
 * which binds the flow to the browser that started it.
 */
export async function startOAuth(
  deps: Deps,
  input: {
    tenant: ResolvedTenant;
    provider: OAuthProviderName;
    redirectTo: string | null;
    linkUserId?: string;
    context: RequestContext;
  },
): Promise<{ url: string; cookie: string }> {
  if (!deps.oauth.isConfigured(input.provider)) {
    throw new AppError("METHOD_NOT_ALLOWED_FOR_TENANT", {
      detail: `Login with ${input.provider} is not configured on this server`,
    });
  }
  const client = await deps.oauth.get(input.provider).catch((error: unknown) => {
    deps.logger.error({ provider: input.provider, err: (error as Error).message }, "OAuth provider unavailable");
    throw new AppError("SERVICE_UNAVAILABLE", { detail: `${input.provider} cannot be reached; try again later` });
  });
  const oidc = await openidClient();
  const verifier = oidc.randomPKCECodeVerifier();
  const nonce = client.kind === "oidc" ? deps.random.token(32) : null;
  const state = await issueChallenge(
    deps,
    "oauth_state",
    {
      tenantId: input.tenant.id,
      userId: input.linkUserId ?? null,
      data: { provider: input.provider, redirectTo: input.redirectTo, nonce },
    },
    (tx, now) =>
      recordAudit(
        tx,
        {
          eventType: "oauth_started",
          tenantId: input.tenant.id,
          userId: input.linkUserId ?? null,
          context: input.context,
          details: { provider: input.provider, purpose: input.linkUserId ? "link" : "login" },
        },
        now,
      ),
  );
  const url = oidc.buildAuthorizationUrl(client.configuration, {
    redirect_uri: client.redirectUri,
    scope: client.scope,
    state,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    ...(nonce ? { nonce } : {}),
  });
  return { url: url.href, cookie: `${state}.${verifier}` };
}

/** How a callback ended: where to send the browser, and the tokens of a login. */
export type OAuthOutcome =
  | { kind: "login"; tenant: ResolvedTenant; redirectTo: string; tokens: TokenResponse }
  | { kind: "linked"; redirectTo: string }
  | { kind: "mfa"; redirectTo: string; mfaToken: string; methods: string[] }
  | { kind: "failed"; redirectTo: string; code: ErrorCode };

/**
 * Completes an OAuth flow at the callback. Before the flow is established (state missing, not
 * the browser's, unknown, used or expired) it throws 401 INVALID_CREDENTIALS: there is no trusted
 * place to send the browser. After that, failures (no PKCE verifier, provider error, code
 * exchange or ID-token check failed, account conflict) end as `failed` with the flow's redirect
 * target. Every outcome is audited.
 */
export async function completeOAuth(
  deps: Deps,
  input: { provider: OAuthProviderName; query: URLSearchParams; cookie: string | undefined; context: RequestContext },
): Promise<OAuthOutcome> {
  const now = deps.now();
  const method = methodOf(input.provider);
  const audit = (event: Omit<AuditEvent, "context">) =>
    recordAudit(deps.prisma, { ...event, context: input.context }, now);
  const state = input.query.get("state");
  const [cookieState, verifier] = (input.cookie ?? "").split(".");
  const reject = async (reason: string) => {
    countLogin(deps, method, "failure");
    await audit({ eventType: "login_failure", details: { method, reason } });
    throw new AppError("INVALID_CREDENTIALS", { detail: "This sign-in attempt is invalid or expired; start again" });
  };
  if (!state) return reject("missing_state");
  if (!cookieState || !constantTimeEqual(cookieState, state)) return reject("state_mismatch");
  // The tenant is the flow's: the provider's redirect says nothing about it.
  const consumed = await consumeChallenge(deps, "oauth_state", state, {});
  if (!consumed.ok) return reject("state_unknown_used_or_expired");
  const flow = consumed.challenge;
  const data = flow.data;
  if (data.provider !== input.provider) return reject("provider_mismatch");

  const purpose = flow.userId ? "link" : "login";
  const fallback = purpose === "link" ? `${deps.config.WEB_ORIGIN}/account` : `${deps.config.WEB_ORIGIN}/`;
  const redirectTo = data.redirectTo ?? fallback;
  const fail = async (code: ErrorCode, reason: string, extra: Record<string, unknown> = {}): Promise<OAuthOutcome> => {
    countLogin(deps, method, "failure");
    await audit({
      eventType: "login_failure",
      tenantId: flow.tenantId,
      userId: flow.userId,
      details: { method, reason, purpose, ...extra },
    });
    return { kind: "failed", redirectTo, code };
  };

  let tenant: ResolvedTenant;
  try {
    tenant = await resolveTenantById(deps, flow.tenantId);
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return fail(error.code, "tenant_unavailable");
  }
  if (!tenant.allowedMethods.includes(method)) return fail("METHOD_NOT_ALLOWED_FOR_TENANT", "method_not_allowed");
  if (!verifier) return fail("INVALID_CREDENTIALS", "missing_pkce_verifier");
  const providerError = input.query.get("error");
  if (providerError) return fail("INVALID_CREDENTIALS", "provider_error", { error: providerError.slice(0, 64) });

  let profile: OAuthProfile;
  try {
    const client = await deps.oauth.get(input.provider);
    const currentUrl = new URL(client.redirectUri);
    currentUrl.search = input.query.toString();
    const tokens = await (await openidClient()).authorizationCodeGrant(client.configuration, currentUrl, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      ...(data.nonce ? { expectedNonce: data.nonce, idTokenExpected: true } : {}),
    });
    profile = await client.profile(tokens);
  } catch (error) {
    if (error instanceof ProviderError || isNetworkError(error)) {
      return fail("SERVICE_UNAVAILABLE", "provider_unavailable", { error: describe(error) });
    }
    // Rejected by the provider (invalid_grant: wrong verifier, used code) or by our checks of
    // its answer (ID token signature, iss, aud, nonce, exp; state; iss parameter).
    return fail("INVALID_CREDENTIALS", "token_exchange_failed", { error: describe(error) });
  }

  try {
    if (flow.userId) {
      await linkIdentity(deps, {
        tenant,
        userId: flow.userId,
        provider: input.provider,
        profile,
        context: input.context,
        now,
      });
      return { kind: "linked", redirectTo };
    }
    const user = await userForOAuthProfile(deps, {
      tenant,
      provider: input.provider,
      profile,
      context: input.context,
      now,
    });
    const tokens = await completeLogin(deps, { user, tenant, method, amr: ["fed"], context: input.context });
    return { kind: "login", tenant, redirectTo, tokens };
  } catch (error) {
    if (error instanceof AppError && error.code === "MFA_REQUIRED") {
      return {
        kind: "mfa",
        redirectTo,
        mfaToken: String(error.extensions.mfaToken),
        methods: error.extensions.methods as string[],
      };
    }
    if (error instanceof AppError) {
      return fail(error.code, error.code === "CONFLICT" ? "identity_conflict" : "account_unavailable");
    }
    throw error;
  }
}

/** A failure's codes, messages and the claim at fault, down the cause chain (no secrets in them). */
function describe(error: unknown): string {
  const parts: string[] = [];
  let e = error as { code?: unknown; error?: unknown; message?: unknown; claim?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; e && typeof e === "object" && depth < 4; depth++) {
    for (const part of [e.code, e.error, e.message, e.claim ? `claim ${String(e.claim)}` : undefined]) {
      if (typeof part === "string" && part && !parts.includes(part)) parts.push(part);
    }
    e = e.cause as typeof e;
  }
  return parts.join(": ").slice(0, 300);
}

function isNetworkError(error: unknown): boolean {
  const e = error as { name?: string; cause?: { code?: string } };
  return e?.name === "TimeoutError" || (e?.name === "TypeError" && Boolean(e.cause?.code));
}

const identityMetadata = (profile: OAuthProfile) => profile.metadata as Prisma.InputJsonValue;

/**
 * The user an OAuth login logs in. A known identity logs its user in. A new one links to the
 * existing user with the same e-mail only when both sides proved it (the provider says verified
 * and our user verified it by link or linking); an unverified match is a conflict, never a
 * merge. Otherwise a new user is created. One transaction; a concurrent first login of the
 * same subject retries once and then finds the identity.
 */
async function userForOAuthProfile(
  deps: Deps,
  input: {
    tenant: ResolvedTenant;
    provider: OAuthProviderName;
    profile: OAuthProfile;
    context: RequestContext;
    now: Date;
  },
): Promise<User> {
  const { tenant, profile, now } = input;
  const provider = methodOf(input.provider);
  return retryOnUniqueViolation(() =>
    deps.prisma.$transaction(async (tx) => {
      const where = { tenantId_provider_subject: { tenantId: tenant.id, provider, subject: profile.subject } };
      const identity = await tx.identity.findUnique({ where });
      if (identity) {
        await tx.identity.update({
          where: { id: identity.id },
          data: { lastUsedAt: now, metadata: identityMetadata(profile) },
        });
        const user = await tx.user.findUniqueOrThrow({ where: { id: identity.userId } });
        if (user.deletedAt) throw new AppError("INVALID_CREDENTIALS", { detail: "This account no longer exists" });
        return user;
      }
      let user: User | null = null;
      if (profile.verifiedEmail) {
        const owner = await tx.user.findUnique({
          where: { tenantId_email: { tenantId: tenant.id, email: profile.verifiedEmail } },
        });
        if (owner && (!owner.emailVerifiedAt || owner.deletedAt)) {
          throw new AppError("CONFLICT", {
            detail: "An account with this e-mail exists: sign in to it, then link this provider",
          });
        }
        user = owner;
      }
      const automatic = user !== null;
      user ??= await tx.user.create({
        data: {
          tenantId: tenant.id,
          email: profile.verifiedEmail,
          emailVerifiedAt: profile.verifiedEmail ? now : null,
          displayName: profile.metadata.name ?? profile.metadata.username ?? null,
          createdAt: now,
        },
      });
      await tx.identity.create({
        data: {
          tenantId: tenant.id,
          userId: user.id,
          provider,
          subject: profile.subject,
          metadata: identityMetadata(profile),
          createdAt: now,
          lastUsedAt: now,
        },
      });
      // A new account's provider-verified address logs in by e-mail too, and only as an identity
      // the user sees and can unlink (magic links never fall back to the e-mail column).
      if (!automatic && profile.verifiedEmail) {
        const emailKey = { tenantId: tenant.id, provider: "email", subject: profile.verifiedEmail };
        if (!(await tx.identity.findUnique({ where: { tenantId_provider_subject: emailKey } }))) {
          await tx.identity.create({ data: { ...emailKey, userId: user.id, createdAt: now } });
        }
      }
      if (automatic) {
        await recordAudit(
          tx,
          {
            eventType: "identity_linked",
            tenantId: tenant.id,
            userId: user.id,
            context: input.context,
            details: { provider, automatic: true, reason: "same_verified_email" },
          },
          now,
        );
      }
      return user;
    }),
  );
}

/** Explicit linking: the provider identity joins the logged-in user, unless another user holds it. */
async function linkIdentity(
  deps: Deps,
  input: {
    tenant: ResolvedTenant;
    userId: string;
    provider: OAuthProviderName;
    profile: OAuthProfile;
    context: RequestContext;
    now: Date;
  },
): Promise<void> {
  const { tenant, profile, now } = input;
  const provider = methodOf(input.provider);
  await deps.prisma.$transaction(async (tx) => {
    const user = await tx.user.findUnique({ where: { id: input.userId } });
    if (!user || user.deletedAt) throw new AppError("INVALID_CREDENTIALS", { detail: "This account no longer exists" });
    const existing = await tx.identity.findUnique({
      where: { tenantId_provider_subject: { tenantId: tenant.id, provider, subject: profile.subject } },
    });
    if (existing && existing.userId !== input.userId) {
      throw new AppError("CONFLICT", { detail: "This account is already linked to another user" });
    }
    if (existing) {
      await tx.identity.update({ where: { id: existing.id }, data: { metadata: identityMetadata(profile) } });
      return;
    }
    await tx.identity.create({
      data: {
        tenantId: tenant.id,
        userId: input.userId,
        provider,
        subject: profile.subject,
        metadata: identityMetadata(profile),
        createdAt: now,
      },
    });
    await recordAudit(
      tx,
      {
        eventType: "identity_linked",
        tenantId: tenant.id,
        userId: input.userId,
        context: input.context,
        details: { provider, automatic: false },
      },
      now,
    );
  });
}
