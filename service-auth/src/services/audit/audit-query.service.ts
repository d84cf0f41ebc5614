// Reading the audit log: the user's own events and the admins' view, with keyset pagination.
import { AppError } from "@atlas/errors";
import type { AuthAuditLog, Prisma } from "../../../generated/prisma/client.ts";
import type { Deps } from "../../ports.ts";
import { afterCursor, decodeCursor, toPage } from "../platform/keyset-cursor.ts";

/** One audit row as the API shows it (api.md "Lists"). */
export interface AuditItem {
  id: string;
  eventType: string;
  tenantId: string | null;
  userId: string | null;
  ipAddress: string;
  geoLocation: string | null;
  deviceHash: string | null;
  riskScore: number;
  userAgent: string | null;
  createdAt: string;
  details: Record<string, unknown>;
}

export const toAuditItem = (row: AuthAuditLog): AuditItem => ({
  id: row.id,
  eventType: row.eventType,
  tenantId: row.tenantId,
  userId: row.userId,
  ipAddress: row.ipAddress,
  geoLocation: row.geoLocation,
  deviceHash: row.deviceHash,
  riskScore: row.riskScore,
  userAgent: row.userAgent,
  createdAt: row.createdAt.toISOString(),
  details: isRecord(row.details) ? row.details : {},
});

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Filters of an audit listing; every one is optional and they combine with AND. */
export interface AuditFilter {
  tenantId?: string | undefined;
  userId?: string | undefined;
  eventType?: string | undefined;
  /** Inclusive lower bound on createdAt. */
  from?: Date | undefined;
  /** Exclusive upper bound on createdAt. */
  to?: Date | undefined;
}

export interface AuditPage {
  items: AuditItem[];
  nextCursor: string | null;
}

/**
 * One page of audit events, newest first. `limit` is 1..100 (validated at the edge).
 *
 * @example
 * const first = await listAuditEvents(deps, { userId }, { limit: 50 });
 * const second = await listAuditEvents(deps, { userId }, { limit: 50, cursor: first.nextCursor });
 */
export async function listAuditEvents(
  deps: Pick<Deps, "prisma">,
  filter: AuditFilter,
  page: { limit: number; cursor?: string | null | undefined },
): Promise<AuditPage> {
  if (filter.from && filter.to && filter.from >= filter.to) {
    throw new AppError("VALIDATION_FAILED", { detail: "from must be before to" });
  }
  const cursor = page.cursor ? decodeCursor(page.cursor) : null;
  const and: Prisma.AuthAuditLogWhereInput[] = [];
  if (filter.tenantId !== undefined) and.push({ tenantId: filter.tenantId });
  if (filter.userId !== undefined) and.push({ userId: filter.userId });
  if (filter.eventType !== undefined) and.push({ eventType: filter.eventType });
  if (filter.from) and.push({ createdAt: { gte: filter.from } });
  if (filter.to) and.push({ createdAt: { lt: filter.to } });
  if (cursor) and.push(afterCursor(cursor));
  const rows = await deps.prisma.authAuditLog.findMany({
    where: { AND: and },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: page.limit + 1,
  });
  return toPage(rows, page.limit, toAuditItem);
}
