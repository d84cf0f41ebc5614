// Where background jobs that walk the audit log stopped: one (createdAt, id) position per job.

import type { Prisma } from "../../../generated/prisma/client.ts";
import type { Deps } from "../../ports.ts";

export interface JobPosition {
  at: Date;
  id: string;
}

type Db = Pick<Deps["prisma"], "jobState"> | Prisma.TransactionClient;

/** The position a job saved, or null before its first run. */
export async function readJobPosition(db: Db, name: string): Promise<JobPosition | null> {
  const row = await db.jobState.findUnique({ where: { name } });
  return row?.cursorAt ? { at: row.cursorAt, id: row.cursorId ?? "" } : null;
}

/** Saves a job's position (jobs on several instances may race: the last write wins, and re-doing work is harmless). */
export async function saveJobPosition(db: Db, name: string, position: JobPosition): Promise<void> {
  await db.jobState.upsert({
    where: { name },
    create: { name, cursorAt: position.at, cursorId: position.id },
    update: { cursorAt: position.at, cursorId: position.id },
  });
}
