import { AppError } from "@atlas/errors";
import { addressBucket, addressRange } from "@atlas/service-kit";
import type { Context, MiddlewareHandler } from "hono";
import type { Deps } from "../ports.ts";
import { recordAudit } from "../services/audit/audit.service.ts";
import { requestContext } from "../services/login/request-context.ts";
import { sha256Hex } from "../services/platform/crypto.ts";

export interface RateLimitRule {
  /** Counter namespace, e.g. "token:ip". */
  name: string;
  limit: number;
  windowMs: number;
  /** The subject counted (IP, identifier, tenant); null skips the rule for this request. */
  key: (c: Context) => string | null | Promise<string | null>;
}

/** Counts one hit of `rule` for this request; 429 RATE_LIMITED with Retry-After past its limit (audited). */
export async function hitRule(deps: Deps, c: Context, rule: RateLimitRule): Promise<void> {
  const subject = await rule.key(c);
  if (subject === null) return;
  const result = await deps.rateLimits.hit(`${rule.name}:${subject}`, rule.limit, rule.windowMs, deps.now().getTime());
  if (result.allowed) return;
  await recordAudit(
    deps.prisma,
    {
      eventType: "rate_limited",
      tenantId: c.var.tenant?.id,
      context: requestContext(c),
      details: { rule: rule.name, path: c.req.routePath },
    },
    deps.now(),
  );
  throw new AppError("RATE_LIMITED", {
    detail: "Too many requests; retry later",
    headers: { "Retry-After": String(result.retryAfterSec) },
  });
}

/**
 * 429 RATE_LIMITED with Retry-After once a rule's limit is passed; the refusal is audited. Rules
 * are counted in order and the first refusal stops: later rules do not count a refused request.
 */
export function rateLimit(deps: Deps, rules: RateLimitRule[]): MiddlewareHandler {
  for (const r of rules) if (r.limit < 1 || r.windowMs < 1) throw new Error(`invalid rate limit ${r.name}`);
  return async function rateLimitMiddleware(c, next) {
    for (const rule of rules) await hitRule(deps, c, rule);
    await next();
  };
}

/** Rule key: the client address (IPv6: its /64, which one subscriber holds whole). */
export const byIp = (c: Context) => addressBucket(requestContext(c).ipAddress);

/**
 * The rules every login start and verify step shares: per client address, and per tenant. The
 * tenant-wide budget protects the service; on its own, one network could spend all of it and
 * lock every user of the tenant out. So each network (IPv4 /24, IPv6 /48) may spend at most
 * RATE_LIMIT_LOGIN_TENANT_RANGE_PERCENT of it per window: its requests beyond that share are
 * refused by its own sub-bucket before they reach (and count in) the tenant bucket. Filling the
 * tenant bucket then takes 100 / share networks at once, which is a distributed attack.
 */
export function loginRules(deps: Deps): RateLimitRule[] {
  const tenantLimit = deps.config.RATE_LIMIT_LOGIN_PER_MIN_TENANT;
  const rangeShare = Math.max(1, Math.floor((tenantLimit * deps.config.RATE_LIMIT_LOGIN_TENANT_RANGE_PERCENT) / 100));
  return [
    { name: "login:ip", limit: deps.config.RATE_LIMIT_LOGIN_PER_MIN_IP, windowMs: 60_000, key: byIp },
    {
      name: "login:tenant-range",
      limit: rangeShare,
      windowMs: 60_000,
      key: (c) => `${c.var.tenant.id}:${addressRange(requestContext(c).ipAddress)}`,
    },
    { name: "login:tenant", limit: tenantLimit, windowMs: 60_000, key: (c) => c.var.tenant.id },
  ];
}

/**
 * Rule key: an identifier from the JSON body (e-mail, phone), normalised and hashed so counters
 * hold no addresses. Read from a clone before validation; unreadable or invalid → rule skipped
 * (validation then refuses the request).
 */
export function hashedBodyField(field: string, normalise: (value: string) => string | null) {
  return async (c: Context): Promise<string | null> => {
    try {
      const body = (await c.req.raw.clone().json()) as Record<string, unknown>;
      const raw = body[field];
      const value = typeof raw === "string" ? normalise(raw) : null;
      return value ? sha256Hex(value) : null;
    } catch {
      return null;
    }
  };
}
