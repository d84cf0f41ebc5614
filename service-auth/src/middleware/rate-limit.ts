import { AppError } from "@atlas/errors";
import type { Context, MiddlewareHandler } from "hono";
import type { Deps } from "../deps.ts";
import { recordAudit } from "../services/audit.service.ts";
import { sha256Hex } from "../services/crypto.ts";
import { requestContext } from "../services/request-context.ts";

export interface RateLimitRule {
  /** Counter namespace, e.g. "token:ip". */
  name: string;
  limit: number;
  windowMs: number;
  /** The subject counted (IP, identifier, tenant); null skips the rule for this request. */
  key: (c: Context) => string | null | Promise<string | null>;
}

/** 429 RATE_LIMITED with Retry-After once a rule's limit is passed; the refusal is audited. */
export function rateLimit(deps: Deps, rules: RateLimitRule[]): MiddlewareHandler {
  for (const r of rules) if (r.limit < 1 || r.windowMs < 1) throw new Error(`invalid rate limit ${r.name}`);
  return async function rateLimitMiddleware(c, next) {
    const nowMs = deps.now().getTime();
    for (const rule of rules) {
      const subject = await rule.key(c);
      if (subject === null) continue;
      const result = await deps.rateLimits.hit(`${rule.name}:${subject}`, rule.limit, rule.windowMs, nowMs);
      if (!result.allowed) {
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
    }
    await next();
  };
}

/** Rule key: the client address. */
export const byIp = (c: Context) => requestContext(c).ipAddress;

/** The rules every login start and verify step shares: per client IP and per tenant. */
export function loginRules(deps: Deps): RateLimitRule[] {
  return [
    { name: "login:ip", limit: deps.config.RATE_LIMIT_LOGIN_PER_MIN_IP, windowMs: 60_000, key: byIp },
    {
      name: "login:tenant",
      limit: deps.config.RATE_LIMIT_LOGIN_PER_MIN_TENANT,
      windowMs: 60_000,
      key: (c) => c.var.tenant.id,
    },
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
