import { hostname } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { deleteConfig, writeConfig } from "../config.ts";
import { type Context, requireToken } from "../context.ts";
import { CliError, problemError, request, requestJson } from "../http.ts";

export const ALL_SCOPES = ["profile:read", "objects:read", "objects:write", "usage:read", "billing:read"] as const;
const DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";

interface DeviceCodes {
  device_code: string;
  user_code: string;
  verification_uri: string;
  verification_uri_complete: string;
  expires_in: number;
  interval: number;
}

interface DeviceToken {
  access_token: string;
  token_type: string;
  scope: string;
  expires_in?: number;
  pat_id?: string;
}

/** The hostname as the server accepts it (letters, digits, `.`, `_`, `-`; 64 at most). */
export function safeHostname(name = hostname()): string {
  return name.replace(/[^A-Za-z0-9._-]/g, "-").slice(0, 64) || "unknown";
}

const form = (fields: Record<string, string>) => ({
  method: "POST",
  headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
  body: new URLSearchParams(fields).toString(),
});

/**
 * Polls the token endpoint as RFC 8628 §3.5 says: wait `interval` between polls, add 5 s on
 * slow_down, stop on expired_token / access_denied; transient failures (5xx, 429, network) are
 * retried until the codes expire.
 */
async function pollForToken(ctx: Context, codes: DeviceCodes): Promise<DeviceToken> {
  let interval = Math.max(1, codes.interval);
  const deadline = Date.now() + codes.expires_in * 1000;
  while (Date.now() < deadline) {
    await sleep(interval * 1000);
    let res: Response;
    try {
      res = await request(`${ctx.authUrl}/auth/token/refresh`, {
        ...form({ grant_type: DEVICE_GRANT, device_code: codes.device_code, client_id: "atlas-cli" }),
        tenant: ctx.tenant,
      });
    } catch {
      continue; // The network blipped: the codes are still good until they expire.
    }
    if (res.ok) return (await res.json()) as DeviceToken;
    if (res.status === 429) {
      interval = Math.max(interval, Number(res.headers.get("retry-after")) || interval);
      continue;
    }
    if (res.status !== 400) {
      if (res.status >= 500) continue;
      throw await problemError(res, "Login");
    }
    const body = (await res.json().catch(() => ({}))) as {
      error?: string;
      error_description?: string;
      interval?: number;
    };
    switch (body.error) {
      case "authorization_pending":
        continue;
      case "slow_down":
        interval = body.interval ?? interval + 5;
        continue;
      case "expired_token":
        throw new CliError("Login failed: the code expired before it was approved", {
          hint: "Run `atlas login` again.",
        });
      case "access_denied":
        throw new CliError("Login failed: the request was denied", { code: "ACCESS_DENIED" });
      default:
        throw new CliError(`Login failed: ${body.error_description ?? body.error ?? `HTTP ${res.status}`}`);
    }
  }
  throw new CliError("Login failed: the code expired before it was approved", { hint: "Run `atlas login` again." });
}

/** `atlas login`: RFC 8628 device flow → a PAT stored in the config file (0600). */
export async function login(ctx: Context, opts: { scopes: string[] }): Promise<void> {
  const unknown = opts.scopes.filter((s) => !(ALL_SCOPES as readonly string[]).includes(s));
  if (unknown.length > 0 || opts.scopes.length === 0) {
    throw new CliError(`Unknown scope(s): ${unknown.join(", ") || "(none)"}`, {
      hint: `Known: ${ALL_SCOPES.join(", ")}`,
    });
  }
  if (ctx.tokenSource === "env") ctx.info("Note: ATLAS_TOKEN is set and overrides the stored login.");
  const codes = await requestJson<DeviceCodes>(`${ctx.authUrl}/auth/device/code`, "Login", {
    ...form({ client_id: "atlas-cli", scope: opts.scopes.join(" "), hostname: safeHostname() }),
    tenant: ctx.tenant,
  });
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
    await request(`${previous.authUrl ?? ctx.authUrl}/auth/pats/${previous.patId}`, {
      method: "DELETE",
      token: previous.token,
      tenant: previous.tenant,
    }).catch(() => undefined);
  }
  ctx.print(`Logged in. Token stored in ${ctx.configFile} (scopes: ${scopes.join(", ")}).`, {
    loggedIn: true,
    configFile: ctx.configFile,
    scopes,
    patId: token.pat_id ?? null,
    expiresIn: token.expires_in ?? null,
  });
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
    const res = await request(`${stored.authUrl ?? ctx.authUrl}/auth/pats/${stored.patId}`, {
      method: "DELETE",
      token: stored.token,
      tenant: stored.tenant ?? ctx.tenant,
    });
    // 401/404: the token is already dead (revoked or expired); anything else keeps the file so
    // the user can retry rather than lose the means to revoke.
    if (res.status === 204) revoked = true;
    else if (res.status !== 401 && res.status !== 404) throw await problemError(res, "Revoking the token");
  }
  await deleteConfig(ctx.configFile);
  if (ctx.tokenSource === "env") ctx.info("Note: ATLAS_TOKEN is still set in your environment.");
  ctx.print(revoked ? "Logged out; the token was revoked." : "Logged out.", { loggedOut: true, revoked });
}

interface Me {
  sub: string;
  tid: string;
  scopes: string[];
  method: string;
}

/** `atlas whoami`: who the token in force belongs to (GET /v1/me), with the e-mail address from
 * service-auth's GET /auth/me when the token may read the profile (`profile:read`). */
export async function whoami(ctx: Context): Promise<void> {
  const token = requireToken(ctx);
  const me = await requestJson<Me>(`${ctx.apiUrl}/v1/me`, "whoami", { token, tenant: ctx.tenant });
  let email: string | null = null;
  if (me.scopes.includes("profile:read")) {
    const res = await request(`${ctx.authUrl}/auth/me`, { token, tenant: ctx.tenant }).catch(() => null);
    if (res?.ok) email = ((await res.json()) as { user?: { email?: string | null } }).user?.email ?? null;
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
