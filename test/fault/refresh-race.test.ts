// Fault: 20 concurrent refreshes of one refresh token, over real HTTP to a service-auth process
// (api.md: inside the grace window every one gets the same successor, never two live successors;
// after the window a re-presented token is reuse and revokes the family).
import { freePort } from "@atlas/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  cloneTestDatabase,
  type Login,
  refresh,
  type ServiceProcess,
  seedLogins,
  sql,
  startAuth,
  startCloud,
} from "./harness.ts";

let db: Awaited<ReturnType<typeof cloneTestDatabase>>;
let auth: ServiceProcess;
let cloud: ServiceProcess;
let logins: Login[];

beforeAll(async () => {
  db = await cloneTestDatabase("refresh");
  const env = { PORT: String(await freePort()), REFRESH_GRACE_SEC: "5" };
  logins = await seedLogins(db.url, 2, env);
  auth = await startAuth(db.url, env);
  cloud = await startCloud(db.url, auth.url);
});
afterAll(async () => {
  await cloud?.stop();
  await auth?.stop();
  await db?.drop();
});

const tokensOf = (familyOf: string) =>
  sql<{ id: string; usedAt: Date | null; revokedAt: Date | null; parentId: string | null }>(
    db.url,
    `SELECT t.id, t."usedAt", t."revokedAt", t."parentId" FROM "auth"."auth_refresh_tokens" t
     JOIN "auth"."auth_refresh_token_families" f ON f.id = t."familyId" WHERE f."sessionId" = $1`,
    [familyOf],
  );

describe("20 concurrent refreshes of one refresh token (real process, HTTP)", () => {
  it("exactly one rotation: all 20 get the same successor, one live token, one family, every access token works", async () => {
    const [login] = logins as [Login];
    const answers = await Promise.all(Array.from({ length: 20 }, () => refresh(auth.url, login.refreshToken)));
    const bodies = (await Promise.all(answers.map((r) => r.json()))) as { refreshToken: string; accessToken: string }[];
    expect(answers.map((r) => r.status)).toEqual(Array(20).fill(200));
    const successors = new Set(bodies.map((b) => b.refreshToken));
    expect(successors.size).toBe(1);

    // In the database: the presented token used once, one successor, alive; one family, alive.
    const tokens = await tokensOf(login.sessionId);
    expect(tokens).toHaveLength(2);
    const live = tokens.filter((t) => !t.usedAt && !t.revokedAt);
    expect(live).toHaveLength(1);
    expect(live[0]?.parentId).not.toBeNull();
    const families = await sql<{ revokedAt: Date | null }>(
      db.url,
      `SELECT "revokedAt" FROM "auth"."auth_refresh_token_families" WHERE "sessionId" = $1`,
      [login.sessionId],
    );
    expect(families).toEqual([{ revokedAt: null }]);
    expect(
      await sql(db.url, `SELECT 1 FROM "auth"."auth_audit_logs" WHERE "eventType" = 'refresh_token_reuse'`),
    ).toEqual([]);

    // Every one of the 20 access tokens works at cloud-api; the one successor rotates on.
    for (const b of bodies) {
      const me = await fetch(`${cloud.url}/v1/me`, { headers: { authorization: `Bearer ${b.accessToken}` } });
      expect(me.status).toBe(200);
    }
    const next = await refresh(auth.url, [...successors][0] as string);
    expect(next.status).toBe(200);
  });

  it("the same token presented after the grace window is reuse: 401, family and session revoked, once", async () => {
    const [, login] = logins as [Login, Login];
    const first = await refresh(auth.url, login.refreshToken);
    expect(first.status).toBe(200);
    const { refreshToken: successor } = (await first.json()) as { refreshToken: string };
    // Past the 5 s grace window on the process's own clock.
    await new Promise((r) => setTimeout(r, 5_500));
    const late = await Promise.all(Array.from({ length: 20 }, () => refresh(auth.url, login.refreshToken)));
    expect(late.map((r) => r.status)).toEqual(Array(20).fill(401));
    const problem = (await late[0]?.json()) as { code: string };
    expect(problem.code).toBe("INVALID_TOKEN");
    // The successor died with its family: a thief's replay ends the session for everyone.
    expect((await refresh(auth.url, successor)).status).toBe(401);
    const families = await sql<{ revokedReason: string | null }>(
      db.url,
      `SELECT "revokedReason" FROM "auth"."auth_refresh_token_families" WHERE "sessionId" = $1`,
      [login.sessionId],
    );
    expect(families).toEqual([{ revokedReason: "reuse_detected" }]);
    const tokens = await tokensOf(login.sessionId);
    expect(tokens.filter((t) => !t.usedAt && !t.revokedAt)).toEqual([]);
    const audits = await sql(
      db.url,
      `SELECT 1 FROM "auth"."auth_audit_logs" WHERE "eventType" = 'refresh_token_reuse' AND "userId" = $1`,
      [login.userId],
    );
    expect(audits).toHaveLength(1);
  });
});
