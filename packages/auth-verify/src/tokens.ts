// What a token of Atlas carries, in one place for the services and the clients (web-app, CLI):
// the scopes (api.md "Scopes") and the shape of personal access tokens (api.md "Tokens").
// No imports: browsers bundle this file through @atlas/client.

/** Every user scope, in api.md's order: a login grants all of them; a PAT carries a subset. */
export const USER_SCOPES = ["profile:read", "objects:read", "objects:write", "usage:read", "billing:read"] as const;
export type UserScope = (typeof USER_SCOPES)[number];

/** Personal access tokens carry this prefix; everything else is a JWT. */
export const PAT_PREFIX = "atlas_pat_";

/**
 * The whole shape of a PAT as service-auth makes it (pat.service.ts): the prefix, the id as 32
 * hex digits, then 32 random bytes in base64url (groups: 1 the id, 2 the secret). Anything else
 * cannot be a PAT: bearerAuth refuses it without a call to service-auth, so junk does not spend
 * the introspection budget.
 */
export const PAT_FORMAT = new RegExp(`^${PAT_PREFIX}([0-9a-f]{32})_([A-Za-z0-9_-]{43})$`);
