// Fault: service-cloud-api's clock ahead of or behind service-auth's. Real processes; the skew is
// injected through cloud-api's clock (deps.now), which token verification reads.
import { freePort } from "@atlas/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  cloneTestDatabase,
  type Login,
  ROOT,
  type ServiceProcess,
  seedLogins,
  startAuth,
  startCloud,
} from "./harness.ts";

const SKEWED_CLOUD = `${ROOT}test/fault/fixtures/skewed-cloud.ts`;
// Access tokens live 60 s here (the shortest allowed), so that a clock 120 s ahead is outside
// exp + the verifier's 30 s leeway, as a clock 120 s behind is outside nbf/iat − 30 s.
const TTL_SEC = 60;
const SKEWS_SEC = [-120, -20, 20, 120];

let db: Awaited<ReturnType<typeof cloneTestDatabase>>;
let auth: ServiceProcess;
const clouds = new Map<number, ServiceProcess>();
let authEnvExtra: Record<string, string>;

beforeAll(async () => {
  db = await cloneTestDatabase("skew");
  authEnvExtra = { PORT: String(await freePort()), ACCESS_TOKEN_TTL_SEC: String(TTL_SEC) };
  // The signing key dates from an hour ago, so that tokens can be issued "a while ago" with it.
  const hourAgo = new Date(Date.now() - 3_600_000);
  await seedLogins(db.url, 0, authEnvExtra, () => hourAgo);
  auth = await startAuth(db.url, authEnvExtra);
  const started = await Promise.all(
    SKEWS_SEC.map((s) =>
      startCloud(db.url, auth.url, { CLOCK_OFFSET_MS: String(s * 1000), JWKS_COOLDOWN_SEC: "0" }, SKEWED_CLOUD),
    ),
  );
  SKEWS_SEC.forEach((s, i) => clouds.set(s, started[i] as ServiceProcess));
});
afterAll(async () => {
  await Promise.all([...clouds.values()].map((c) => c.stop()));
  await auth?.stop();
  await db?.drop();
});

/** A login's access token, issued `ageSec` ago on service-auth's (the real) clock. */
async function freshToken(ageSec = 0): Promise<string> {
  const issuedAt = new Date(Date.now() - ageSec * 1000);
  const [login] = (await seedLogins(db.url, 1, authEnvExtra, () => issuedAt)) as [Login];
  return login.accessToken;
}
const me = (skew: number, token: string) =>
  fetch(`${clouds.get(skew)?.url}/v1/me`, { headers: { authorization: `Bearer ${token}` } });

describe("clock skew between service-auth and service-cloud-api", () => {
  it.each([-20, 20])("%i s (inside the 30 s leeway): a fresh token is accepted", async (skew) => {
    const res = await me(skew, await freshToken());
    expect(res.status).toBe(200);
  });

  it("+20 s: a token 10 s before its exp (already past it on cloud-api's clock) is still accepted: the leeway at work", async () => {
    const res = await me(20, await freshToken(TTL_SEC - 10));
    expect(res.status).toBe(200);
  });

  it("-120 s (cloud-api behind): a fresh token is not yet valid there: 401 INVALID_TOKEN problem+json, never a 500", async () => {
    const res = await me(-120, await freshToken());
    expect(res.status).toBe(401);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(await res.json()).toMatchObject({ status: 401, code: "INVALID_TOKEN" });
    expect(res.headers.get("www-authenticate")).toMatch(/^Bearer .*error="invalid_token"/);
  });

  it("+120 s (cloud-api ahead): a fresh 60 s token has already expired there: 401 EXPIRED_TOKEN, never a 500", async () => {
    const res = await me(120, await freshToken());
    expect(res.status).toBe(401);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(await res.json()).toMatchObject({ status: 401, code: "EXPIRED_TOKEN" });
  });

  it("no skewed instance answered 5xx or logged an internal error", () => {
    for (const cloud of clouds.values()) {
      expect(cloud.logs().filter((l) => l.msg === "request failed")).toEqual([]);
    }
  });
});
