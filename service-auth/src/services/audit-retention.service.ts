// IP retention for the audit log. Besides recordAudit (which only inserts), this module and the
// account-deletion pseudonymisation are the only code that writes audit rows: neither deletes one.
import { isIP } from "node:net";
import type { Deps } from "../deps.ts";
import { readJobPosition, saveJobPosition } from "./job-state.ts";

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
