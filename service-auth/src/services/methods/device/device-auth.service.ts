// RFC 8628 Device Authorization Grant: how `atlas login` gets a personal access token.
//
// The device asks for a pair of codes, shows the user_code and polls the token endpoint with the
// device_code; a signed-in user enters the user_code in the web-app, sees who asks for what, and
// approves or denies. On approval the device's next poll mints a PAT (the token is never stored,
// so it is made at the moment it is handed over, once).
//
// Both codes are stored only as SHA-256. The device_code carries 256 bits. The user_code carries
// ~34.6 bits (8 characters of RFC 8628 §6.1's 20-consonant alphabet): an offline search of its
// hash is feasible, but the code lives 15 minutes, is single use, and knowing it only lets one
// approve or deny a request with one's own account; online guessing is what matters, so entry is
// rate limited and wrong entries per user are counted (from the audit log, which every instance
// shares).
import { AppError } from "@atlas/errors";
import type { DeviceAuthorization } from "../../../../generated/prisma/client.ts";
import type { Deps, RandomSource } from "../../../ports.ts";
import { recordAudit } from "../../audit/audit.service.ts";
import { geoLabel } from "../../login/geo.service.ts";
import type { RequestContext } from "../../login/request-context.ts";
import { constantTimeEqual, sha256Hex } from "../../platform/crypto.ts";
import { insertPat } from "../../tokens/pat.service.ts";

export const DEVICE_CODE_GRANT_TYPE = "urn:ietf:params:oauth:grant-type:device_code";

/** RFC 8628 §6.1: consonants only (no words can form, no 0/O or 1/I confusion). */
export const USER_CODE_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ";
const USER_CODE_LENGTH = 8;
/** RFC 8628 §3.5: each slow_down adds 5 seconds to the interval. */
export const SLOW_DOWN_STEP_SEC = 5;
/** Wrong user codes are counted over this window. */
export const USER_CODE_FAILURE_WINDOW_MS = 15 * 60_000;

/**
 * Device clients this server knows. The approval page shows the name from here, never one the
 * device sent: a self-named client could pose as anything.
 */
export const DEVICE_CLIENTS = { "atlas-cli": "Atlas CLI" } as const;
export type DeviceClientId = keyof typeof DEVICE_CLIENTS;

/** `BCDFGHJK` → `BCDF-GHJK`. */
export const formatUserCode = (code: string) => `${code.slice(0, 4)}-${code.slice(4)}`;

/**
 * What a user typed, normalised (case, dashes and spaces forgiven); null when it cannot be a code,
 * so malformed input never reaches the database.
 */
export function normaliseUserCode(input: string): string | null {
  const code = input.toUpperCase().replace(/[\s-]/g, "");
  if (code.length !== USER_CODE_LENGTH) return null;
  for (const ch of code) if (!USER_CODE_ALPHABET.includes(ch)) return null;
  return code;
}

export function generateUserCode(random: RandomSource): string {
  let code = "";
  for (let i = 0; i < USER_CODE_LENGTH; i++) code += USER_CODE_ALPHABET[random.int(0, USER_CODE_ALPHABET.length)];
  return code;
}

export interface DeviceCodeGrant {
  deviceCode: string;
  userCode: string;
  expiresIn: number;
  interval: number;
}

/** Starts a device authorization (RFC 8628 §3.1–3.2). Audited as `device_code_requested`. */
export async function startDeviceAuthorization(
  deps: Deps,
  input: {
    tenantId: string;
    clientId: DeviceClientId;
    scopes: string[];
    hostname: string | null;
    context: RequestContext;
  },
): Promise<DeviceCodeGrant> {
  const now = deps.now();
  const deviceCode = deps.random.token(32);
  const expiresIn = deps.config.DEVICE_CODE_TTL_SEC;
  const geo = input.context.geo ?? (await deps.geo.lookup(input.context.ipAddress));
  // A user_code collides with a stored one (live or old) about once in 2^34 inserts: draw again.
  for (let attempt = 0; ; attempt++) {
    const userCode = generateUserCode(deps.random);
    try {
      const row = await deps.prisma.$transaction(async (tx) => {
        const row = await tx.deviceAuthorization.create({
          data: {
            tenantId: input.tenantId,
            deviceCodeHash: sha256Hex(deviceCode),
            userCodeHash: sha256Hex(userCode),
            clientName: DEVICE_CLIENTS[input.clientId],
            hostname: input.hostname,
            scopes: [...new Set(input.scopes)],
            requestIp: input.context.ipAddress,
            requestGeo: geoLabel(geo),
            requestUserAgent: input.context.userAgent,
            interval: deps.config.DEVICE_POLL_INTERVAL_SEC,
            expiresAt: new Date(now.getTime() + expiresIn * 1000),
            createdAt: now,
          },
        });
        await recordAudit(
          tx,
          {
            eventType: "device_code_requested",
            tenantId: input.tenantId,
            context: { ...input.context, geo },
            details: { deviceAuthorizationId: row.id, clientId: input.clientId, scopes: row.scopes },
          },
          now,
        );
        return row;
      });
      return { deviceCode, userCode, expiresIn, interval: row.interval };
    } catch (error) {
      if (attempt < 2 && (error as { code?: string }).code === "P2002") continue;
      throw error;
    }
  }
}

/** RFC 8628 §3.5 / RFC 6749 §5.2 error codes of the token endpoint's device grant. */
export type DeviceTokenError =
  | "authorization_pending"
  | "slow_down"
  | "expired_token"
  | "access_denied"
  | "invalid_grant";

export type DeviceTokenResult =
  | { ok: false; error: DeviceTokenError; description: string; interval?: number }
  | {
      ok: true;
      token: string;
      patId: string;
      scopes: string[];
      expiresIn: number;
      userId: string;
    };

const refuse = (error: DeviceTokenError, description: string, interval?: number): DeviceTokenResult => ({
  ok: false,
  error,
  description,
  ...(interval === undefined ? {} : { interval }),
});

/**
 * One poll of the token endpoint with a device_code (RFC 8628 §3.4–3.5), as ordered checks:
 * known code of this tenant → not already redeemed → not expired → not polling too fast
 * (slow_down adds 5 s to the interval) → decision: pending, denied, or approved (then the PAT is
 * minted and the authorization consumed, in one transaction, so two polls never both get one).
 */
export async function pollDeviceToken(
  deps: Deps,
  input: { deviceCode: string; tenantId: string; context: RequestContext },
): Promise<DeviceTokenResult> {
  const now = deps.now();
  const hash = sha256Hex(input.deviceCode);
  const row = await deps.prisma.deviceAuthorization.findUnique({ where: { deviceCodeHash: hash } });
  // The unique lookup is by hash; the comparison is repeated in constant time for defence in depth.
  if (!row || row.tenantId !== input.tenantId || !constantTimeEqual(row.deviceCodeHash, hash)) {
    return refuse("invalid_grant", "Unknown device_code");
  }
  if (row.status === "consumed") return refuse("invalid_grant", "This device_code was already redeemed");
  if (row.expiresAt <= now) return refuse("expired_token", "The device_code has expired; start again");

  if (row.lastPolledAt && now.getTime() - row.lastPolledAt.getTime() < row.interval * 1000) {
    const interval = row.interval + SLOW_DOWN_STEP_SEC;
    await deps.prisma.deviceAuthorization.update({ where: { id: row.id }, data: { interval, lastPolledAt: now } });
    return refuse("slow_down", `Polling too fast: wait ${interval} seconds between requests`, interval);
  }
  await deps.prisma.deviceAuthorization.update({ where: { id: row.id }, data: { lastPolledAt: now } });

  if (row.status === "denied") return refuse("access_denied", "The user denied this request");
  if (row.status !== "approved" || !row.userId) {
    return refuse("authorization_pending", "Waiting for the user to approve this request");
  }
  return redeem(deps, row, row.userId, input.context);
}

async function redeem(
  deps: Deps,
  row: DeviceAuthorization,
  userId: string,
  context: RequestContext,
): Promise<DeviceTokenResult> {
  const now = deps.now();
  const ttlDays = deps.config.DEVICE_PAT_TTL_DAYS;
  return deps.prisma.$transaction(async (tx) => {
    const claimed = await tx.deviceAuthorization.updateMany({
      where: { id: row.id, status: "approved" },
      data: { status: "consumed" },
    });
    if (claimed.count === 0) return refuse("invalid_grant", "This device_code was already redeemed");
    const user = await tx.user.findUnique({ where: { id: userId }, select: { deletedAt: true } });
    if (!user || user.deletedAt) return refuse("access_denied", "The approving account no longer exists");
    const name = `${row.clientName} on ${row.hostname ?? "an unnamed device"}`.slice(0, 100);
    const pat = await insertPat(
      tx,
      deps.random,
      { userId, tenantId: row.tenantId, name, scopes: row.scopes, expiresInDays: ttlDays },
      now,
    );
    await tx.deviceAuthorization.update({ where: { id: row.id }, data: { patId: pat.id } });
    const details = { deviceAuthorizationId: row.id, patId: pat.id, scopes: pat.scopes, via: "device" };
    await recordAudit(tx, { eventType: "pat_created", tenantId: row.tenantId, userId, context, details }, now);
    await recordAudit(tx, { eventType: "device_token_issued", tenantId: row.tenantId, userId, context, details }, now);
    return { ok: true, token: pat.token, patId: pat.id, scopes: pat.scopes, expiresIn: ttlDays * 86_400, userId };
  });
}

/** What the approval page shows about a pending request. */
export interface DeviceRequestSummary {
  userCode: string;
  clientName: string;
  hostname: string | null;
  scopes: string[];
  requestIp: string;
  requestGeo: string | null;
  requestUserAgent: string | null;
  createdAt: string;
  expiresAt: string;
}

interface UserCodeInput {
  userCode: string;
  userId: string;
  tenantId: string;
  context: RequestContext;
}

/**
 * Refuses code entry once the user has entered too many wrong codes in the window (429 with
 * Retry-After). Counted from `device_code_failed` audit rows, so all instances agree.
 */
async function assertUserCodeAttemptsLeft(deps: Deps, userId: string): Promise<void> {
  const now = deps.now();
  const since = new Date(now.getTime() - USER_CODE_FAILURE_WINDOW_MS);
  const failures = await deps.prisma.authAuditLog.findMany({
    where: { userId, eventType: "device_code_failed", createdAt: { gt: since } },
    orderBy: { createdAt: "asc" },
    select: { createdAt: true },
    take: deps.config.DEVICE_USER_CODE_MAX_FAILURES,
  });
  const oldest = failures[0];
  if (oldest && failures.length >= deps.config.DEVICE_USER_CODE_MAX_FAILURES) {
    const retryMs = oldest.createdAt.getTime() + USER_CODE_FAILURE_WINDOW_MS - now.getTime();
    throw new AppError("RATE_LIMITED", {
      detail: "Too many wrong codes; try again later",
      headers: { "Retry-After": String(Math.max(1, Math.ceil(retryMs / 1000))) },
    });
  }
}

/** A wrong, expired or already used code: counted, audited, and answered 404 without saying which. */
async function failUserCode(deps: Deps, input: UserCodeInput, reason: string): Promise<never> {
  await recordAudit(
    deps.prisma,
    {
      eventType: "device_code_failed",
      tenantId: input.tenantId,
      userId: input.userId,
      context: input.context,
      details: { reason },
    },
    deps.now(),
  );
  throw new AppError("NOT_FOUND", { detail: "No pending request with this code; check it, or start again" });
}

/** The pending, unexpired authorization a user code names in the caller's tenant, or a counted failure. */
async function pendingByUserCode(deps: Deps, input: UserCodeInput): Promise<DeviceAuthorization> {
  await assertUserCodeAttemptsLeft(deps, input.userId);
  const code = normaliseUserCode(input.userCode);
  if (!code) return failUserCode(deps, input, "malformed");
  const row = await deps.prisma.deviceAuthorization.findUnique({ where: { userCodeHash: sha256Hex(code) } });
  if (!row || row.tenantId !== input.tenantId) return failUserCode(deps, input, "unknown");
  if (row.status !== "pending") return failUserCode(deps, input, "used");
  if (row.expiresAt <= deps.now()) return failUserCode(deps, input, "expired");
  return row;
}

const summaryOf = (row: DeviceAuthorization, code: string): DeviceRequestSummary => ({
  userCode: formatUserCode(code),
  clientName: row.clientName,
  hostname: row.hostname,
  scopes: row.scopes,
  requestIp: row.requestIp,
  requestGeo: row.requestGeo,
  requestUserAgent: row.requestUserAgent,
  createdAt: row.createdAt.toISOString(),
  expiresAt: row.expiresAt.toISOString(),
});

/**
 * Who is asking, for the sign-in page a signed-out visitor of `/device?user_code=…` sees ("Sign in
 * to approve Atlas CLI on ada-laptop"): the client's name (server-known, never device-sent) and
 * the hostname the device reported, nothing else — where it asked from, the scopes and the
 * decision stay behind sign-in. Wrong codes are not counted per user (there is none yet): the
 * route is rate limited per address, which with ~34.6 bits per code and a 15-minute life leaves
 * guessing a live code hopeless. Any code that could not be approved now answers 404.
 */
export async function previewDeviceRequest(
  deps: Deps,
  input: { userCode: string; tenantId: string },
): Promise<{ clientName: string; hostname: string | null }> {
  const code = normaliseUserCode(input.userCode);
  const row = code
    ? await deps.prisma.deviceAuthorization.findUnique({ where: { userCodeHash: sha256Hex(code) } })
    : null;
  if (!row || row.tenantId !== input.tenantId || row.status !== "pending" || row.expiresAt <= deps.now()) {
    throw new AppError("NOT_FOUND", { detail: "No pending request with this code; check it, or start again" });
  }
  return { clientName: row.clientName, hostname: row.hostname };
}

/** What a user code asks for, for the approval page (does not decide anything). */
export async function describeDeviceRequest(deps: Deps, input: UserCodeInput): Promise<DeviceRequestSummary> {
  const row = await pendingByUserCode(deps, input);
  return summaryOf(row, normaliseUserCode(input.userCode) ?? "");
}

/**
 * Approves or denies a pending request, once: the conditional update makes a second decision (or
 * a race of two) fail as "used". Audited as `device_approved` / `device_denied`.
 */
export async function decideDeviceRequest(
  deps: Deps,
  input: UserCodeInput & { decision: "approved" | "denied" },
): Promise<DeviceRequestSummary> {
  const row = await pendingByUserCode(deps, input);
  const now = deps.now();
  return deps.prisma.$transaction(async (tx) => {
    const { count } = await tx.deviceAuthorization.updateMany({
      where: { id: row.id, status: "pending", expiresAt: { gt: now } },
      data: { status: input.decision, userId: input.userId, decidedAt: now },
    });
    if (count === 0) throw new AppError("NOT_FOUND", { detail: "This request was decided meanwhile" });
    await recordAudit(
      tx,
      {
        eventType: input.decision === "approved" ? "device_approved" : "device_denied",
        tenantId: input.tenantId,
        userId: input.userId,
        context: input.context,
        details: {
          deviceAuthorizationId: row.id,
          clientName: row.clientName,
          hostname: row.hostname,
          scopes: row.scopes,
          requestIp: row.requestIp,
        },
      },
      now,
    );
    return summaryOf(row, normaliseUserCode(input.userCode) ?? "");
  });
}
