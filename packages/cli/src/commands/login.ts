import { hostname } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { type AuthSchema, USER_SCOPES, type UserScope } from "@atlas/client";
import { deleteConfig, writeConfig } from "../config.ts";
import { type Context, requireToken } from "../context.ts";
import { authClient, CliError, cloudClient, EXIT, formEncoded, must, problemOf } from "../http.ts";

const DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";

type DeviceCodes = AuthSchema<"DeviceAuthorizationResponse">;
type DeviceToken = AuthSchema<"DeviceTokenResponse">;

/** Splits `scopes` into the user scopes (api.md "Scopes") and the names that are none. */
export function userScopes(scopes: readonly string[]): { known: UserScope[]; unknown: string[] } {
  const isScope = (s: string): s is UserScope => (USER_SCOPES as readonly string[]).includes(s);
  return { known: scopes.filter(isScope), unknown: scopes.filter((s) => !isScope(s)) };
}

/** The hostname as the server accepts it (letters, digits, `.`, `_`, `-`; 64 at most). */
export function safeHostname(name = hostname()): string {
  return name.replace(/[^A-Za-z0-9._-]/g, "-").slice(0, 64) || "unknown";
}

/**
 * Polls the token endpoint as RFC 8628 §3.5 says: wait `interval` between polls, add 5 s on
 * slow_down, stop on expired_token / access_denied; transient failures (5xx, 429, network) are
 * retried until the codes expire.
 */
async function pollForToken(ctx: Context, codes: DeviceCodes): Promise<DeviceToken> {
  const auth = authClient(ctx.authUrl, { tenant: ctx.tenant });
  const poll = () =>
    auth.POST("/auth/token/refresh", {
      body: { grant_type: DEVICE_GRANT, device_code: codes.device_code, client_id: "atlas-cli" },
      ...formEncoded,
    });
  let interval = Math.max(1, codes.interval);
  const deadline = Date.now() + codes.expires_in * 1000;
  while (Date.now() < deadline) {
    await sleep(interval * 1000);
    let answer: Awaited<ReturnType<typeof poll>>;
    try {
      answer = await poll();
    } catch (error) {
      // The network blipped: the codes are still good until they expire.
      if (error instanceof CliError && error.options.code === "NETWORK_ERROR") continue;
      throw error;
    }
    const { data, error, response: res } = answer;
    if (res.ok) {
      if (data && "access_token" in data) return data;
      throw new CliError("Login failed: the server answered the device code with a session token");
    }
    if (res.status === 429) {
      interval = Math.max(interval, Number(res.headers.get("retry-after")) || interval);
      continue;
    }
    if (res.status !== 400) {
      if (res.status >= 500) continue;
      throw problemOf(res, error, "Login");
    }
    const body: Partial<AuthSchema<"OAuthError">> = error && typeof error === "object" && "error" in error ? error : {};
    const requestId = res.headers.get("x-request-id");
    const answered = { status: res.status, ...(requestId ? { requestId } : {}) };
    switch (body.error) {
      case "authorization_pending":
        continue;
      case "slow_down":
        interval = body.interval ?? interval + 5;
        continue;
      case "expired_token":
        throw new CliError("Login failed: the code expired before it was approved", {
          hint: "Run `atlas login` again.",
          code: "EXPIRED_TOKEN",
          ...answered,
        });
      case "access_denied":
        throw new CliError("Login failed: the request was denied", {
          code: "ACCESS_DENIED",
          exitCode: EXIT.auth,
          ...answered,
        });
      default:
        throw new CliError(`Login failed: ${body.error_description ?? body.error ?? `HTTP ${res.status}`}`, answered);
    }
  }
  throw new CliError("Login failed: the code expired before it was approved", { hint: "Run `atlas login` again." });
}

/** `atlas login`: RFC 8628 device flow → a PAT stored in the config file (0600). */
export async function login(ctx: Context, opts: { scopes: string[] }): Promise<void> {
  const { unknown } = userScopes(opts.scopes);
  if (unknown.length > 0 || opts.scopes.length === 0) {
    throw new CliError(`Unknown scope(s): ${unknown.join(", ") || "(none)"}`, {
      hint: `Known: ${USER_SCOPES.join(", ")}`,
    });
  }
  const codes = await must(
    "Login",
    authClient(ctx.authUrl, { tenant: ctx.tenant }).POST("/auth/device/code", {
      body: { client_id: "atlas-cli", scope: opts.scopes.join(" "), hostname: safeHostname() },
      ...formEncoded,
    }),
  );
  ctx.info(
    [
      "To sign in, open this page in a browser where you are signed in to Atlas:",
      `  ${codes.verification_uri_complete}`,
      `or go to ${codes.verification_uri} and enter the code: ${codes.user_code}`,
      `Waiting for approval (the code expires in ${Math.round(codes.expires_in / 60)} minutes)…`,
    ].join("\n"),
  );
  const token = await pollForToken(ctx, codes);
  const previous = ctx.stored;
  const scopes = token.scope.split(" ").filter(Boolean);
  await writeConfig(ctx.configFile, {
    token: token.access_token,
    ...(token.pat_id ? { patId: token.pat_id } : {}),
    scopes,
    authUrl: ctx.authUrl,
    apiUrl: ctx.apiUrl,
    ...(ctx.tenant ? { tenant: ctx.tenant } : {}),
    createdAt: new Date().toISOString(),
  });
  // The token this login replaces is revoked, so logins do not leave live tokens behind.
  if (previous?.patId && previous.token !== token.access_token) {
    await authClient(previous.authUrl ?? ctx.authUrl, { token: previous.token, tenant: previous.tenant })
      .DELETE("/auth/pats/{id}", { params: { path: { id: previous.patId } } })
      .catch(() => undefined);
  }
  const email = await emailOf(ctx, token.access_token, scopes);
  const who = email
    ? `Logged in as ${email}.`
    : "Logged in (the token has no profile:read scope, so it cannot read your e-mail address).";
  ctx.print(`${who}\nToken stored in ${ctx.configFile} (scopes: ${scopes.join(", ")}).`, {
    loggedIn: true,
    email,
    configFile: ctx.configFile,
    scopes,
    patId: token.pat_id ?? null,
    expiresIn: token.expires_in ?? null,
  });
  // The login just stored is not the one in force while ATLAS_TOKEN is set.
  if (ctx.tokenSource === "env") {
    ctx.info("Warning: ATLAS_TOKEN is set and overrides the login just stored; unset ATLAS_TOKEN to use it.");
  }
}

/** The e-mail address of the token's user (service-auth's GET /auth/me, which needs profile:read). */
async function emailOf(ctx: Context, token: string, scopes: string[]): Promise<string | null> {
  if (!scopes.includes("profile:read")) return null;
  const profile = await authClient(ctx.authUrl, { token, tenant: ctx.tenant })
    .GET("/auth/me")
    .catch(() => null);
  return profile?.response.ok ? (profile.data?.user.email ?? null) : null;
}

/** `atlas logout`: revokes the stored PAT at service-auth, then deletes the config file. */
export async function logout(ctx: Context): Promise<void> {
  const stored = ctx.stored;
  if (!stored) {
    ctx.print("Not logged in.", { loggedOut: true, revoked: false });
    return;
  }
  let revoked = false;
  if (stored.patId) {
    const auth = authClient(stored.authUrl ?? ctx.authUrl, {
      token: stored.token,
      tenant: stored.tenant ?? ctx.tenant,
    });
    const { error, response: res } = await auth.DELETE("/auth/pats/{id}", { params: { path: { id: stored.patId } } });
    // 401/404: the token is already dead (revoked or expired); anything else keeps the file so
    // the user can retry rather than lose the means to revoke.
    if (res.status === 204) revoked = true;
    else if (res.status !== 401 && res.status !== 404) throw problemOf(res, error, "Revoking the token");
  }
  await deleteConfig(ctx.configFile);
  if (ctx.tokenSource === "env") ctx.info("Note: ATLAS_TOKEN is still set in your environment.");
  ctx.print(revoked ? "Logged out; the token was revoked." : "Logged out.", { loggedOut: true, revoked });
}

/** `atlas whoami`: who the token in force belongs to (GET /v1/me), with the e-mail address from
 * service-auth's GET /auth/me when the token may read the profile (`profile:read`). */
export async function whoami(ctx: Context): Promise<void> {
  const token = requireToken(ctx);
  const me = await must("whoami", cloudClient(ctx.apiUrl, { token, tenant: ctx.tenant }).GET("/v1/me"));
  let email: string | null = null;
  if (me.scopes.includes("profile:read")) {
    const profile = await authClient(ctx.authUrl, { token, tenant: ctx.tenant })
      .GET("/auth/me")
      .catch(() => null);
    if (profile?.response.ok) email = profile.data?.user.email ?? null;
  }
  ctx.print(
    [
      `User:   ${me.sub}${email ? ` (${email})` : ""}`,
      `Tenant: ${me.tid}`,
      `Token:  ${me.method}${ctx.tokenSource === "env" ? " (from ATLAS_TOKEN)" : ""}`,
      `Scopes: ${me.scopes.join(", ")}`,
    ].join("\n"),
    { ...me, email, tokenSource: ctx.tokenSource },
  );
}
