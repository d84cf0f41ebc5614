/**
 * The OpenAPI document's prose: info.description, the tags (the API reference's navigation
 * groups) and the security scheme. Plain sentences: the reference renders them as Markdown,
 * other tools print them as they are.
 */
export const API_DESCRIPTION = [
  "Atlas product API: store objects, read metered usage and the plan's entitlements, and fetch invoices and credit notes as JSON or PDF.",
  "Every /v1 operation needs a bearer token issued by service-auth. Usage is metered per request and checked against the plan: once an allowance of a plan without overage is used up, requests answer 402 QUOTA_EXCEEDED. Errors are RFC 9457 problem documents (application/problem+json) with a stable code field.",
].join("\n\n");

export const API_TAGS = [
  { name: "account", description: "Who the token belongs to: user, tenant, scopes and how they authenticated." },
  { name: "objects", description: "Object storage: upload, download, list and delete bytes under a key." },
  { name: "usage", description: "Metered usage (requests, bytes, storage) by hour or day, in the plan's units." },
  { name: "billing", description: "The plan's entitlements in force, invoices and credit notes (JSON and PDF)." },
] as const;

export const BEARER_SCHEME = {
  type: "http" as const,
  scheme: "bearer",
  bearerFormat: "JWT or atlas_pat_",
  description:
    "Send Authorization: Bearer followed by an access token from service-auth (a JWT) or a personal access token (atlas_pat_…) holding the scope the operation names. service-cloud-api verifies JWTs against service-auth's JWKS and introspects PATs; the tenant is the token's own, so no X-Tenant header is needed.",
};
