// The few HTML pages oidc-provider itself renders (errors that must not redirect, RP-initiated
// logout's confirmation and success), in the tenant's brand, without external resources.
import { escapeHtml } from "../notifications/html.ts";
import type { ResolvedTenant } from "../tenancy/tenant.service.ts";

function page(tenant: ResolvedTenant, title: string, body: string): string {
  const name = escapeHtml(tenant.brand.name ?? tenant.name);
  const color = tenant.brand.primaryColor ?? "#1d4ed8";
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)} · ${name}</title><style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#111}h1{font-size:1.4rem}button{background:${color};color:#fff;border:0;border-radius:.4rem;padding:.6rem 1.2rem;font-size:1rem;cursor:pointer}</style></head><body><main><p>${name}</p><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`;
}

/** An error the user agent is shown instead of being redirected (e.g. an unregistered redirect_uri). */
export function errorPage(tenant: ResolvedTenant, out: { error?: string; error_description?: string }): string {
  return page(
    tenant,
    "Sign-in failed",
    `<p>${escapeHtml(out.error_description ?? "The request could not be processed.")}</p><p><code>${escapeHtml(out.error ?? "server_error")}</code></p>`,
  );
}

/** RP-initiated logout: the confirmation form oidc-provider builds (`form` is its own markup). */
export function logoutPage(tenant: ResolvedTenant, form: string): string {
  return page(
    tenant,
    "Sign out?",
    `${form}<p><button autofocus type="submit" form="op.logoutForm" value="yes" name="logout">Sign out</button></p>`,
  );
}

export function logoutSuccessPage(tenant: ResolvedTenant): string {
  return page(tenant, "Signed out", "<p>You are signed out.</p>");
}
