import { AppError } from "@atlas/errors";
import type { Deps } from "../../../ports.ts";
import { userForIdentity } from "../../accounts/user.service.ts";
import { recordAudit } from "../../audit/audit.service.ts";
import { CHALLENGE_KINDS, consumeChallenge, issueChallenge } from "../../challenges/challenge-store.ts";
import { completeLogin } from "../../login/complete-login.ts";
import { assertNotBackedOff, recordLoginFailure } from "../../login/lockout.service.ts";
import type { RequestContext } from "../../login/request-context.ts";
import { countLogin } from "../../platform/business-metrics.ts";
import type { ResolvedTenant } from "../../tenancy/tenant.service.ts";
import type { TokenResponse } from "../../tokens/session.service.ts";

/** The wallet login methods, as tenant methods, identity providers and nonce kinds. */
export type WalletMethod = "siwe" | "siws" | "arweave";
export type ChainFamily = "eip155" | "solana" | "arweave";

/** The challenge kind of each method's nonce. */
const NONCE_KIND = { siwe: "siwe_nonce", siws: "siws_nonce", arweave: "arweave_nonce" } as const;

export const WALLET_NONCE_TTL_MS = CHALLENGE_KINDS.siwe_nonce.ttlMs;

/**
 * A fresh single-use nonce for a wallet message: 128 random bits as 32 hex characters (SIWE
 * wants alphanumerics, at least 8). Stored by its hash, for this tenant and method, 10 minutes.
 */
export function issueWalletNonce(
  deps: Pick<Deps, "prisma" | "now" | "random">,
  tenant: ResolvedTenant,
  method: WalletMethod,
): Promise<string> {
  return issueChallenge(deps, NONCE_KIND[method], { tenantId: tenant.id, data: {} });
}

/** Refuses a wallet login while its (address, IP) pair backs off after failed signatures. */
export function guardWallet(
  deps: Pick<Deps, "prisma" | "now">,
  input: { tenant: ResolvedTenant; address: string; context: RequestContext },
): Promise<void> {
  return assertNotBackedOff(deps, {
    tenant: input.tenant,
    account: { identifier: `wallet:${input.address}` },
    context: input.context,
  });
}

/**
 * A refused wallet login: audited with the reason, answered with one generic 401. A bad
 * signature for an address counts towards that address's backoff.
 */
export async function walletFailure(
  deps: Pick<Deps, "prisma" | "now" | "metrics">,
  input: { tenant: ResolvedTenant; method: WalletMethod; reason: string; context: RequestContext; address?: string },
): Promise<AppError> {
  if (input.reason === "bad_signature" && input.address) {
    await recordLoginFailure(deps, {
      tenant: input.tenant,
      account: { identifier: `wallet:${input.address}` },
      context: input.context,
    });
  }
  countLogin(deps, input.method, "failure");
  await recordAudit(
    deps.prisma,
    {
      eventType: "login_failure",
      tenantId: input.tenant.id,
      context: input.context,
      details: { method: input.method, reason: input.reason, ...(input.address ? { address: input.address } : {}) },
    },
    deps.now(),
  );
  return new AppError("INVALID_CREDENTIALS", { detail: "The wallet sign-in message was not accepted" });
}

/** A message that does not parse: audited, answered 400 VALIDATION_FAILED. */
export async function malformedWalletMessage(
  deps: Pick<Deps, "prisma" | "now" | "metrics">,
  input: { tenant: ResolvedTenant; method: WalletMethod; context: RequestContext },
): Promise<AppError> {
  countLogin(deps, input.method, "failure");
  await recordAudit(
    deps.prisma,
    {
      eventType: "login_failure",
      tenantId: input.tenant.id,
      context: input.context,
      details: { method: input.method, reason: "malformed_message" },
    },
    deps.now(),
  );
  const label = { siwe: "EIP-4361", siws: "Sign-In With Solana", arweave: "Arweave sign-in" }[input.method];
  return new AppError("VALIDATION_FAILED", { detail: `Not a well-formed ${label} message` });
}

/** The checks a parsed sign-in message must pass whatever the chain: origin, then freshness. */
export function signInMessageFailure(
  deps: Pick<Deps, "config" | "now">,
  tenant: ResolvedTenant,
  message: {
    domain: string;
    uri: string;
    scheme?: string | undefined;
    issuedAt?: string;
    expirationTime?: string | undefined;
    notBefore?: string | undefined;
  },
): string | null {
  const origin = originOfMessage(tenant, message);
  if ("failure" in origin) return origin.failure;
  return messageTimeFailure(deps.now(), message, deps.config.WALLET_MESSAGE_SKEW_SEC * 1000);
}

/**
 * The allowed origin a message was signed for: `domain` (host and port) must be the host of one
 * of the tenant's allowed origins (and its scheme, when the message names one), and `uri` that
 * origin or a URL under it. Otherwise the failure reason.
 */
export function originOfMessage(
  tenant: ResolvedTenant,
  message: { domain: string; uri: string; scheme?: string | undefined },
): { origin: string } | { failure: "wrong_domain" | "wrong_uri" } {
  const candidates = tenant.allowedOrigins.filter((origin) => {
    const o = new URL(origin);
    return o.host === message.domain && (!message.scheme || `${message.scheme}:` === o.protocol);
  });
  if (candidates.length === 0) return { failure: "wrong_domain" };
  let uri: URL;
  try {
    uri = new URL(message.uri);
  } catch {
    return { failure: "wrong_uri" };
  }
  const origin = candidates.find((o) => new URL(o).origin === uri.origin);
  return origin ? { origin } : { failure: "wrong_uri" };
}

/**
 * Freshness of a signed message, with `skewMs` tolerance for clocks: issued not in the future and
 * not before the nonce could have been issued; not expired; valid already. Returns the failure
 * reason, or null when the message is fresh.
 */
export function messageTimeFailure(
  now: Date,
  times: { issuedAt?: string | undefined; expirationTime?: string | undefined; notBefore?: string | undefined },
  skewMs: number,
): string | null {
  const at = (v: string) => {
    const ms = Date.parse(v);
    return Number.isNaN(ms) ? null : ms;
  };
  const t = now.getTime();
  if (!times.issuedAt) return "missing_issued_at";
  const issued = at(times.issuedAt);
  if (issued === null) return "malformed_time";
  if (issued > t + skewMs) return "issued_in_future";
  if (issued < t - WALLET_NONCE_TTL_MS - skewMs) return "issued_too_long_ago";
  if (times.expirationTime !== undefined) {
    const exp = at(times.expirationTime);
    if (exp === null) return "malformed_time";
    if (exp <= t - skewMs) return "expired";
  }
  if (times.notBefore !== undefined) {
    const nbf = at(times.notBefore);
    if (nbf === null) return "malformed_time";
    if (nbf > t + skewMs) return "not_yet_valid";
  }
  return null;
}

/**
 * The last steps of every wallet login, once the signature is verified: the nonce is consumed
 * (this tenant's, this method's, unexpired, once), the address becomes (or finds) its identity,
 * and a session is opened with amr `wallet`.
 */
export async function completeWalletLogin(
  deps: Deps,
  input: {
    tenant: ResolvedTenant;
    method: WalletMethod;
    nonce: string;
    subject: string;
    chainFamily: ChainFamily;
    metadata?: Record<string, string>;
    context: RequestContext;
  },
): Promise<TokenResponse> {
  const now = deps.now();
  const consumed = await consumeChallenge(deps, NONCE_KIND[input.method], input.nonce, { tenantId: input.tenant.id });
  if (!consumed.ok) {
    throw await walletFailure(deps, { ...input, reason: "nonce_unknown_used_or_expired", address: input.subject });
  }
  const user = await userForIdentity(
    deps,
    input.tenant.id,
    { provider: input.method, subject: input.subject, chainFamily: input.chainFamily, metadata: input.metadata ?? {} },
    now,
  );
  if (user.deletedAt) throw await walletFailure(deps, { ...input, reason: "account_deleted" });
  return completeLogin(deps, {
    user,
    tenant: input.tenant,
    method: input.method,
    amr: ["wallet"],
    context: input.context,
  });
}
