import type { DatabaseConnection, SqlQueryable } from "@atlas/db";
import { lockStorage, setStorage } from "../storage.ts";
import type { Finding } from "./finding.ts";

/** storage_total: running totals vs the objects; repaired under the customer's storage lock. */
export async function checkStorage(db: DatabaseConnection, now: Date, repair: boolean): Promise<Finding[]> {
  const drift = await db.query<{
    tenantId: string;
    userId: string;
    bytes: string;
    objects: number;
    actualBytes: string;
    actualObjects: string;
  }>(
    `WITH actual AS (
       SELECT "tenantId", "userId", sum("sizeBytes") AS bytes, count(*) AS objects FROM "cloud"."cloud_objects" GROUP BY 1, 2)
     SELECT coalesce(s."tenantId", a."tenantId") AS "tenantId", coalesce(s."userId", a."userId") AS "userId",
            coalesce(s."bytes", 0)::text AS bytes, coalesce(s."objects", 0) AS objects,
            coalesce(a.bytes, 0)::text AS "actualBytes", coalesce(a.objects, 0)::text AS "actualObjects"
       FROM "cloud"."cloud_storage_usage" s FULL JOIN actual a ON a."tenantId" = s."tenantId" AND a."userId" = s."userId"
      WHERE coalesce(s."bytes", 0) <> coalesce(a.bytes, 0) OR coalesce(s."objects", 0) <> coalesce(a.objects, 0)`,
  );
  const findings: Finding[] = [];
  for (const d of drift) {
    const owner = { tenantId: d.tenantId, userId: d.userId };
    let repaired = false;
    if (repair) {
      repaired = await db.transaction(async (tx) => {
        const storage = await lockStorage(tx, owner, now);
        // Recounted under the lock: what an object change committed meanwhile is included.
        const [actual] = await tx.query<{ bytes: string; objects: string }>(
          `SELECT coalesce(sum("sizeBytes"), 0)::text AS bytes, count(*)::text AS objects FROM "cloud"."cloud_objects"
            WHERE "tenantId" = $1 AND "userId" = $2`,
          [owner.tenantId, owner.userId],
        );
        await setStorage(tx, owner, storage, { bytes: Number(actual?.bytes), objects: Number(actual?.objects) }, now);
        return true;
      });
    }
    findings.push({
      kind: "storage_total",
      ...owner,
      subject: `storage:${d.tenantId}:${d.userId}`,
      details: {
        recordedBytes: Number(d.bytes),
        recordedObjects: d.objects,
        actualBytes: Number(d.actualBytes),
        actualObjects: Number(d.actualObjects),
      },
      repaired,
    });
  }
  return findings;
}

/** orphan_blob: committed chunks no object points to and not yet queued for collection. */
export async function checkOrphanBlobs(db: SqlQueryable, now: Date, repair: boolean): Promise<Finding[]> {
  const orphans = await db.query<{ blobId: string; chunks: string }>(
    `SELECT c."blobId", count(*)::text AS chunks FROM "cloud"."cloud_object_chunks" c
      WHERE NOT EXISTS (SELECT 1 FROM "cloud"."cloud_objects" o WHERE o."blobId" = c."blobId")
        AND NOT EXISTS (SELECT 1 FROM "cloud"."cloud_blob_garbage" g WHERE g."blobId" = c."blobId")
      GROUP BY c."blobId"`,
  );
  if (repair && orphans.length > 0) {
    await db.query(
      `INSERT INTO "cloud"."cloud_blob_garbage" ("blobId", "releasedAt") SELECT unnest($1::text[]), $2 ON CONFLICT DO NOTHING`,
      [orphans.map((o) => o.blobId), now],
    );
  }
  return orphans.map((o) => ({
    kind: "orphan_blob" as const,
    tenantId: null,
    userId: null,
    subject: `blob:${o.blobId}`,
    details: { chunks: Number(o.chunks) },
    repaired: repair,
  }));
}
