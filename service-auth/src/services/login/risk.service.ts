import type { User } from "../../../generated/prisma/client.ts";
import type { Deps } from "../../ports.ts";
import type { ResolvedTenant } from "../tenancy/tenant.service.ts";
import { distanceKm, type GeoLocation } from "./geo.service.ts";
import { accountRefsOf, accountUnderAttack } from "./lockout.service.ts";
import type { RequestContext } from "./request-context.ts";

/**
 * The risk of one login, 0..1, as a sum of weighted signals (capped at 1):
 * - `impossible_travel` 0.6: the previous login was > 500 km away at a speed above 900 km/h
 *   (an airliner), judged from offline GeoIP or a trusted proxy's location headers;
 * - `new_device` 0.3: a device hash this user never logged in from, once the account is settled:
 *   not on the first login, nor during the account's first day ({@link SETTLING_MS} after its first
 *   login), when a person signs in from each of their devices for the first time (the laptop they
 *   signed up on, their phone, a script). Such a login still counts as a new device for the
 *   new-sign-in e-mail (`newDevice`), but it is not a risk;
 * - `new_country` 0.2: a country this user never logged in from (not on the first login);
 * - `ip_failure_velocity` 0.3: ≥ 10 failed logins from this IP in 10 minutes, any accounts
 *   (credential stuffing, password-spraying-style probing);
 * - `account_under_attack` 0.3: the account is beyond the lockout's elevated threshold.
 * Weights are chosen so that one soft signal alone stays below the default challenge threshold
 * (0.5) and impossible travel alone crosses it.
 */
export interface RiskAssessment {
  score: number;
  reasons: string[];
  geo: GeoLocation | null;
  newDevice: boolean;
}

const HISTORY = 20;
/** How long a new account's devices are first devices rather than new ones (see `new_device`). */
export const SETTLING_MS = 24 * 3_600_000;
const SPEED_KMH = 900;
const MIN_TRAVEL_KM = 500;

interface PastLogin {
  deviceHash: string | null;
  geoLocation: string | null;
  createdAt: Date;
  details: unknown;
}

const coordinatesOf = (row: PastLogin): GeoLocation | null => {
  const geo = (row.details as { geo?: { lat?: number; lon?: number } } | null)?.geo;
  return typeof geo?.lat === "number" && typeof geo.lon === "number"
    ? { country: null, city: null, latitude: geo.lat, longitude: geo.lon }
    : null;
};

export async function assessLoginRisk(
  deps: Pick<Deps, "prisma" | "now" | "geo">,
  input: { user: User; tenant: ResolvedTenant; context: RequestContext },
): Promise<RiskAssessment> {
  const now = deps.now();
  const { context } = input;
  const geo = context.geo ?? (await deps.geo.lookup(context.ipAddress));
  const previous: PastLogin[] = await deps.prisma.authAuditLog.findMany({
    where: { userId: input.user.id, eventType: "login_success" },
    orderBy: { createdAt: "desc" },
    take: HISTORY,
    select: { deviceHash: true, geoLocation: true, createdAt: true, details: true },
  });
  const reasons: string[] = [];
  let score = 0;
  const add = (reason: string, weight: number) => {
    reasons.push(reason);
    score += weight;
  };
  const last = previous.find((p) => coordinatesOf(p));
  if (geo && last) {
    const km = distanceKm(coordinatesOf(last) as GeoLocation, geo);
    const hours = Math.max((now.getTime() - last.createdAt.getTime()) / 3_600_000, 1 / 60);
    if (km !== null && km > MIN_TRAVEL_KM && km / hours > SPEED_KMH) add("impossible_travel", 0.6);
  }
  const newDevice = previous.length > 0 && !previous.some((p) => p.deviceHash === context.deviceHash);
  // `previous` is newest first; with fewer than HISTORY rows its last one is the account's first login.
  const firstLogin = previous.length < HISTORY ? previous.at(-1) : undefined;
  const settling = firstLogin !== undefined && now.getTime() - firstLogin.createdAt.getTime() < SETTLING_MS;
  if (newDevice && !settling) add("new_device", 0.3);
  if (geo?.country && previous.length > 0 && !previous.some((p) => p.geoLocation?.startsWith(geo.country as string))) {
    add("new_country", 0.2);
  }
  const failures = await deps.prisma.authAuditLog.count({
    where: {
      eventType: "login_failure",
      ipAddress: context.ipAddress,
      createdAt: { gt: new Date(now.getTime() - 10 * 60_000) },
    },
  });
  if (failures >= 10) add("ip_failure_velocity", 0.3);
  if (await accountUnderAttack(deps, input.tenant.id, await accountRefsOf(deps, input.user))) {
    add("account_under_attack", 0.3);
  }
  return { score: Math.min(1, Math.round(score * 100) / 100), reasons, geo, newDevice };
}
