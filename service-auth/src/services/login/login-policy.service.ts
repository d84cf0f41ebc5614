import { AppError } from "@atlas/errors";
import type { Deps } from "../../ports.ts";
import { recordAudit } from "../audit/audit.service.ts";
import { countLogin } from "../platform/business-metrics.ts";
import type { ResolvedTenant } from "../tenancy/tenant.service.ts";
import type { LoginMethod } from "./method-ids.ts";
import type { RequestContext } from "./request-context.ts";

/** api.md: a method the tenant does not allow answers 403 at its first step and at verify. */
export function assertMethodAllowed(tenant: ResolvedTenant, method: LoginMethod): void {
  if (!tenant.allowedMethods.includes(method)) {
    throw new AppError("METHOD_NOT_ALLOWED_FOR_TENANT", {
      detail: `Login with ${method} is not enabled for this tenant`,
    });
  }
}

/**
 * Validates a post-login redirect: an absolute http(s) URL whose origin is one of the tenant's
 * allowed origins (no open redirects). Returns the normalised URL; 400 VALIDATION_FAILED otherwise.
 */
export function allowedRedirect(tenant: ResolvedTenant, redirectTo: string | undefined): string | null {
  if (redirectTo === undefined) return null;
  const url = parseRedirect(tenant, redirectTo);
  if (!url) throw new AppError("VALIDATION_FAILED", { detail: "redirectTo is not an allowed origin for this tenant" });
  return url;
}

/** {@link allowedRedirect}, with a refused target audited (an open-redirect attempt). */
export async function auditedRedirect(
  deps: Pick<Deps, "prisma" | "now" | "metrics">,
  input: { tenant: ResolvedTenant; redirectTo: string | undefined; method: string; context: RequestContext },
): Promise<string | null> {
  try {
    return allowedRedirect(input.tenant, input.redirectTo);
  } catch (error) {
    countLogin(deps, input.method, "failure");
    await recordAudit(
      deps.prisma,
      {
        eventType: "login_failure",
        tenantId: input.tenant.id,
        context: input.context,
        details: { method: input.method, reason: "redirect_not_allowed", redirectTo: input.redirectTo?.slice(0, 256) },
      },
      deps.now(),
    );
    throw error;
  }
}

function parseRedirect(tenant: ResolvedTenant, redirectTo: string): string | null {
  let url: URL;
  try {
    url = new URL(redirectTo);
  } catch {
    return null;
  }
  if ((url.protocol !== "http:" && url.protocol !== "https:") || !tenant.allowedOrigins.includes(url.origin)) {
    return null;
  }
  return url.toString();
}
