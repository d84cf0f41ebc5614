// IP retention for the audit log. Besides recordAudit (which only inserts), this module and the
// account-deletion pseudonymisation are the only code that writes audit rows: neither deletes one.
import { isIP } from "node:net";
import type { Prisma } from "../../../generated/prisma/client.ts";
import type { Deps } from "../../ports.ts";
import { readJobPosition, saveJobPosition } from "../platform/job-state.ts";

export const AUDIT_IP_RETENTION_JOB = "audit_ip_retention";

/**
 * Coarsens an IP address to its network: IPv4 → /24 (last octet 0), IPv6 → /48, IPv4-mapped
 * IPv6 (`::ffff:a.b.c.d`) → its IPv4 /24. Values that are not IP addresses (`internal`,
 * `unknown`) come back unchanged. Idempotent.
 *
 * @example
 * truncateIp("203.0.113.77") // "203.0.113.0"
 * truncateIp("2001:db8:85a3:8d3:1319:8a2e:370:7348") // "2001:db8:85a3::"
 */
export function truncateIp(ip: string): string {
  const address = ip.split("%")[0] ?? ip;
  const version = isIP(address);
  if (version === 4) return truncateV4(address);
  if (version !== 6) return ip;
  const lastColon = address.lastIndexOf(":");
  const tail = address.slice(lastColon + 1);
  // An embedded IPv4 tail (mapped / compatible addresses): keep the IPv6 prefix, coarsen the IPv4.
  if (tail.includes(".")) return `${address.slice(0, lastColon + 1)}${truncateV4(tail)}`;
  const hextets = expandV6(address).slice(0, 3);
  return `${hextets.map((h) => Number.parseInt(h, 16).toString(16)).join(":")}::`;
}

const truncateV4 = (ip: string) => `${ip.split(".").slice(0, 3).join(".")}.0`;

function expandV6(ip: string): string[] {
  const [head = "", tail] = ip.split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const zeros = tail === undefined ? [] : Array(8 - left.length - right.length).fill("0");
  return [...left, ...zeros, ...right];
}

/**
 * The retention job: IP addresses of audit rows older than `AUDIT_IP_RETENTION_DAYS` are
 * truncated ({@link truncateIp}). It walks the rows in (createdAt, id) order from where its last
 * run stopped (`auth_job_states`), in batches, so each run only touches rows that newly crossed
 * the retention age. Returns how many rows it changed.
 */
export async function truncateExpiredAuditIps(
  deps: Pick<Deps, "prisma" | "config">,
  now: Date,
  batchSize = 1_000,
): Promise<number> {
  const cutoff = new Date(now.getTime() - deps.config.AUDIT_IP_RETENTION_DAYS * 86_400_000);
  let position = await readJobPosition(deps.prisma, AUDIT_IP_RETENTION_JOB);
  let changed = 0;
  for (;;) {
    const rows = position
      ? await deps.prisma.$queryRaw<{ id: string; ipAddress: string; createdAt: Date }[]>`
          SELECT id, "ipAddress", "createdAt" FROM "auth"."auth_audit_logs"
          WHERE "createdAt" < ${cutoff} AND ("createdAt", id) > (${position.at}, ${position.id})
          ORDER BY "createdAt", id LIMIT ${batchSize}`
      : await deps.prisma.$queryRaw<{ id: string; ipAddress: string; createdAt: Date }[]>`
          SELECT id, "ipAddress", "createdAt" FROM "auth"."auth_audit_logs"
          WHERE "createdAt" < ${cutoff}
          ORDER BY "createdAt", id LIMIT ${batchSize}`;
    const updates = rows
      .map((r) => ({ id: r.id, ip: truncateIp(r.ipAddress) }))
      .filter((u, i) => u.ip !== rows[i]?.ipAddress);
    if (updates.length > 0) {
      changed += await deps.prisma.$executeRaw`
        UPDATE "auth"."auth_audit_logs" AS a SET "ipAddress" = u.ip
        FROM unnest(${updates.map((u) => u.id)}::text[], ${updates.map((u) => u.ip)}::text[]) AS u(id, ip)
        WHERE a.id = u.id`;
    }
    const last = rows.at(-1);
    if (last) {
      position = { at: last.createdAt, id: last.id };
      await saveJobPosition(deps.prisma, AUDIT_IP_RETENTION_JOB, position);
    }
    if (rows.length < batchSize) return changed;
  }
}

/** Detail keys that hold personal identifiers (or linkable hashes of them) in audit rows. */
const IDENTIFYING_KEYS = new Set([
  "email",
  "emailHash",
  "phone",
  "phoneHash",
  "address",
  "subject",
  "username",
  "name",
  "displayName",
  "friendlyName",
  "label",
  "redirectTo",
  "ipAddress",
  "userAgent",
]);

export const REDACTED = "[redacted]";

/**
 * Removes identifiers from an audit row's details: values under identifying keys, and any
 * string containing one of `needles` (lower-case identifiers of the person), at any depth.
 */
export function scrubAuditDetails(value: unknown, needles: readonly string[]): unknown {
  if (typeof value === "string") {
    const lower = value.toLowerCase();
    return needles.some((n) => lower.includes(n)) ? REDACTED : value;
  }
  if (Array.isArray(value)) return value.map((v) => scrubAuditDetails(v, needles));
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, IDENTIFYING_KEYS.has(k) ? REDACTED : scrubAuditDetails(v, needles)]),
    );
  }
  return value;
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * Account deletion: pseudonymises the audit trail instead of deleting it. Rows of the user keep
 * their id, event type, time, device hash and risk score (security analysis still works), but
 * the IP is truncated, the location cut to its country (`GB, London` → `GB`), the user agent
 * dropped and identifiers scrubbed from details. Rows of the
 * tenant that name the person without their user id (e.g. a failed login with their wallet
 * address, a sign-in link requested for their e-mail hash) are scrubbed too. Returns the count.
 */
export async function pseudonymiseAuditTrail(
  tx: Prisma.TransactionClient,
  input: { tenantId: string; userId: string; identifiers: readonly string[] },
): Promise<number> {
  const needles = [...new Set(input.identifiers.map((i) => i.toLowerCase()).filter((i) => i.length >= 3))];
  const patterns = needles.map((n) => `%"${escapeLike(n)}"%`);
  const rows = await tx.$queryRaw<{ id: string; ipAddress: string; details: unknown }[]>`
    SELECT id, "ipAddress", details FROM "auth"."auth_audit_logs"
    WHERE "userId" = ${input.userId}
       OR ("tenantId" = ${input.tenantId} AND details::text ILIKE ANY(${patterns}::text[]))`;
  if (rows.length === 0) return 0;
  return tx.$executeRaw`
    UPDATE "auth"."auth_audit_logs" AS a
    SET "ipAddress" = u.ip, "userAgent" = NULL, details = u.details::jsonb,
        "geoLocation" = NULLIF(split_part(a."geoLocation", ',', 1), '')
    FROM unnest(
      ${rows.map((r) => r.id)}::text[],
      ${rows.map((r) => truncateIp(r.ipAddress))}::text[],
      ${rows.map((r) => JSON.stringify(scrubAuditDetails(r.details, needles)))}::text[]
    ) AS u(id, ip, details)
    WHERE a.id = u.id`;
}
