import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { AdvisoryLeader } from "../src/leader.ts";
import { workerDatabaseUrl } from "../src/testing/index.ts";

const KEY = 0x74657374; // "test"
const pools: pg.Pool[] = [];
const leaders: AdvisoryLeader[] = [];

/** One instance of a service: its own pool and its own leader for KEY. */
async function instance(): Promise<AdvisoryLeader> {
  const pool = new pg.Pool({ connectionString: await workerDatabaseUrl(), max: 2 });
  pools.push(pool);
  const leader = new AdvisoryLeader(pool, KEY);
  leaders.push(leader);
  return leader;
}

/** The backend pid holding KEY, as seen from another session (null: nobody). */
async function holder(): Promise<number | null> {
  const client = new pg.Client({ connectionString: await workerDatabaseUrl() });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>(
      `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = 0 AND objid = $1 AND objsubid = 1
        AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      [KEY],
    );
    return rows[0]?.pid ?? null;
  } finally {
    await client.end();
  }
}

afterEach(async () => {
  await Promise.all(leaders.splice(0).map((l) => l.release()));
  await Promise.all(pools.splice(0).map((p) => p.end()));
});

describe("AdvisoryLeader", () => {
  it("one instance leads and keeps leading; the others do not until it releases", async () => {
    const a = await instance();
    const b = await instance();
    expect(await a.lead()).toBe(true);
    expect(await b.lead()).toBe(false);
    expect(await a.lead()).toBe(true);
    expect(await b.lead()).toBe(false);
    const pid = await holder();
    expect(pid).not.toBeNull();
    await a.release();
    expect(await holder()).toBeNull();
    expect(await b.lead()).toBe(true);
    expect(await a.lead()).toBe(false);
    expect(await holder()).not.toBe(pid);
  });

  it("a leader whose session died (killed by the server) is noticed, and another instance takes over", async () => {
    const a = await instance();
    const b = await instance();
    expect(await a.lead()).toBe(true);
    const pid = await holder();
    const admin = new pg.Client({ connectionString: await workerDatabaseUrl() });
    await admin.connect();
    await admin.query("SELECT pg_terminate_backend($1)", [pid]);
    await admin.end();
    // The lock went with the session: b takes it, and a no longer claims to lead.
    for (let i = 0; i < 50 && (await holder()) !== null; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await b.lead()).toBe(true);
    expect(await a.lead()).toBe(false);
  });

  it("does not lead while the database cannot be reached", async () => {
    const pool = new pg.Pool({
      host: "127.0.0.1",
      port: 1,
      user: "nobody",
      database: "none",
      connectionTimeoutMillis: 500,
    });
    pools.push(pool);
    const leader = new AdvisoryLeader(pool, KEY);
    expect(await leader.lead()).toBe(false);
  });
});
