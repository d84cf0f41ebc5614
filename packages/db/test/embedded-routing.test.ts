// The embedded database has one connection: code inside a transaction that queries through the
// connection again (dunning's retry calls Prisma inside `database.transaction`) joins that
// transaction instead of waiting for it forever; nested transactions are savepoints.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectEmbedded, openEmbeddedDatabase } from "../src/pglite.ts";
import type { DatabaseConnection } from "../src/runtime.ts";

const dir = mkdtempSync(join(tmpdir(), "atlas-pglite-routing-"));
let db: Awaited<ReturnType<typeof openEmbeddedDatabase>>;
let conn: DatabaseConnection;

beforeAll(async () => {
  db = await openEmbeddedDatabase(dir);
  await db.exec(`CREATE TABLE public.notes ("note" text NOT NULL)`);
  conn = connectEmbedded(db, "public");
});
afterAll(async () => {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

const notes = async () =>
  (await conn.query<{ note: string }>(`SELECT "note" FROM public.notes ORDER BY 1`)).map((r) => r.note);
const noDeadlock = <T>(work: Promise<T>) =>
  Promise.race([
    work,
    delay(30_000).then(() => {
      throw new Error("deadlock: a query inside the transaction waited for it");
    }),
  ]);

describe("embedded database: queries inside a transaction", () => {
  it("join it: committed together, or rolled back together", async () => {
    await noDeadlock(
      conn.transaction(async (tx) => {
        await tx.query(`INSERT INTO public.notes VALUES ('tx')`);
        await conn.query(`INSERT INTO public.notes VALUES ('same connection')`);
        // It sees the transaction's own write: it runs in it.
        expect(await conn.query(`SELECT 1 FROM public.notes WHERE "note" = 'tx'`)).toHaveLength(1);
      }),
    );
    expect(await notes()).toEqual(["same connection", "tx"]);

    await expect(
      noDeadlock(
        conn.transaction(async () => {
          await conn.query(`INSERT INTO public.notes VALUES ('rolled back')`);
          throw new Error("fails");
        }),
      ),
    ).rejects.toThrow("fails");
    expect(await notes()).toEqual(["same connection", "tx"]);
  });

  it("nested transactions are savepoints: an inner failure undoes only the inner work", async () => {
    await db.exec(`DELETE FROM public.notes`);
    await noDeadlock(
      conn.transaction(async (tx) => {
        await tx.query(`INSERT INTO public.notes VALUES ('outer')`);
        await expect(
          conn.transaction(async (inner) => {
            await inner.query(`INSERT INTO public.notes VALUES ('inner, undone')`);
            throw new Error("inner fails");
          }),
        ).rejects.toThrow("inner fails");
        await conn.transaction((inner) => inner.query(`INSERT INTO public.notes VALUES ('inner, kept')`));
      }),
    );
    expect(await notes()).toEqual(["inner, kept", "outer"]);
  });

  it("queries from outside wait for the transaction and do not join it", async () => {
    await db.exec(`DELETE FROM public.notes`);
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const open = conn.transaction(async (tx) => {
      await tx.query(`INSERT INTO public.notes VALUES ('inside')`);
      await gate;
      throw new Error("rolled back");
    });
    // Started outside the transaction's async context: runs after it, on its own.
    const outside = conn.query(`INSERT INTO public.notes VALUES ('outside')`);
    release();
    await expect(open).rejects.toThrow("rolled back");
    await outside;
    expect(await notes()).toEqual(["outside"]);
  });
});
