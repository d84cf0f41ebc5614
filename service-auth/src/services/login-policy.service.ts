import { AppError } from "@atlas/errors";
import type { LoginMethod, ResolvedTenant } from "./tenant.service.ts";

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
  let url: URL;
  try {
    url = new URL(redirectTo);
  } catch {
    throw new AppError("VALIDATION_FAILED", { detail: "redirectTo must be an absolute URL" });
  }
  if ((url.protocol !== "http:" && url.protocol !== "https:") || !tenant.allowedOrigins.includes(url.origin)) {
    throw new AppError("VALIDATION_FAILED", { detail: "redirectTo is not an allowed origin for this tenant" });
  }
  return url.toString();
}
