// Measurements for bench/scaling.ts: HTTP throughput and latency (autocannon), logins over HTTP,
// and EXPLAIN of the SQL on the measured paths.
import autocannon from "autocannon";
import type pg from "pg";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";

export interface LoadFigure {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

export async function load(name: string, seconds: number, opts: autocannon.Options): Promise<LoadFigure> {
  const r = await autocannon({ duration: seconds, connections: 16, pipelining: 1, ...opts });
  const row = {
    name,
    rps: Math.round(r.requests.average),
    p50: r.latency.p50,
    p99: r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
  };
  console.log(`  ${name}: ${row.rps} req/s, p50 ${row.p50} ms, p99 ${row.p99} ms, non-2xx ${row.non2xx}`);
  return row;
}

export interface CliTokens {
  accessToken: string;
  refreshToken: string;
  userId: string;
}

/**
 * A SIWE login the way a CLI does it (no Origin header: both tokens in the JSON body), with a
 * new wallet unless one is given.
 */
export async function siweCliLogin(authUrl: string, privateKey = generatePrivateKey()): Promise<CliTokens> {
  const account = privateKeyToAccount(privateKey);
  const { nonce } = (await (await fetch(`${authUrl}/auth/siwe/nonce`)).json()) as { nonce: string };
  const message = [
    "localhost:3000 wants you to sign in with your Ethereum account:",
    account.address,
    "",
    "Sign in to Atlas",
    "",
    "URI: http://localhost:3000",
    "Version: 1",
    "Chain ID: 1",
    `Nonce: ${nonce}`,
    `Issued At: ${new Date().toISOString()}`,
  ].join("\n");
  const signature = await account.signMessage({ message });
  const res = await fetch(`${authUrl}/auth/siwe/verify`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ message, signature }),
  });
  if (res.status !== 200) throw new Error(`SIWE login: ${res.status} ${await res.text()}`);
  const tokens = (await res.json()) as { accessToken: string; refreshToken: string };
  const payload = JSON.parse(Buffer.from(tokens.accessToken.split(".")[1] as string, "base64url").toString()) as {
    sub: string;
  };
  return { ...tokens, userId: payload.sub };
}

/** Refresh rotations over a pool of live chains (each request rotates one chain; never a reuse). */
export async function refreshLoad(authUrl: string, seconds: number, chains: string[]): Promise<LoadFigure> {
  const failures = new Map<string, number>();
  const row = await load("POST /auth/token/refresh", seconds, {
    url: `${authUrl}/auth/token/refresh`,
    connections: Math.min(16, chains.length),
    requests: [
      {
        method: "POST",
        headers: { "content-type": "application/json" },
        setupRequest: (req) => {
          const token = chains.shift();
          if (!token) throw new Error("no free refresh-token chain");
          return { ...req, body: JSON.stringify({ refreshToken: token }) };
        },
        onResponse: (status, body) => {
          if (status === 200) chains.push((JSON.parse(body) as { refreshToken: string }).refreshToken);
          else
            failures.set(`${status} ${body.slice(0, 120)}`, (failures.get(`${status} ${body.slice(0, 120)}`) ?? 0) + 1);
        },
      },
    ],
  });
  if (failures.size) console.log("  refresh failures:", failures);
  return row;
}

/** GET `url` with the access tokens in turn (each user's metered allowance is its own). */
export function rotatingBearer(tokens: string[]): autocannon.Request["setupRequest"] {
  let i = 0;
  return (req) => ({
    ...req,
    headers: { ...req.headers, authorization: `Bearer ${tokens[i++ % tokens.length]}` },
  });
}

/** Rows a plan may filter away before it counts as a full scan. */
const FULL_SCAN_ROWS = 100_000;

export interface Explained {
  name: string;
  sql: string;
  plan: string;
  /** Large tables read by a sequential scan, and index walks that filter ≥ 100,000 rows. */
  seqScans: string[];
}

/**
 * EXPLAIN (ANALYZE, BUFFERS) of a read-only statement, or EXPLAIN alone of one that writes (a
 * CTE with UPDATE/INSERT would run). `bigTables` are the tables a sequential scan matters on.
 */
export async function explain(
  db: pg.Client,
  name: string,
  sql: string,
  params: unknown[],
  bigTables: readonly string[],
): Promise<Explained> {
  const writes = /\b(UPDATE|INSERT|DELETE)\b/i.test(sql);
  const rows = await db.query<{ "QUERY PLAN": string }>(
    `EXPLAIN (${writes ? "COSTS" : "ANALYZE, BUFFERS, COSTS"}) ${sql}`,
    params,
  );
  const plan = rows.rows.map((r) => r["QUERY PLAN"]).join("\n");
  const seqScans = [...plan.matchAll(/Seq Scan on (\w+)/g)]
    .map((m) => m[1] as string)
    .filter((t) => bigTables.includes(t));
  // A walk along an index that filters away most of the table is a full scan in disguise.
  const filtered = Math.max(0, ...[...plan.matchAll(/Rows Removed by Filter: (\d+)/g)].map((m) => Number(m[1])));
  if (filtered >= FULL_SCAN_ROWS) seqScans.push(`an index walk filtering ${filtered.toLocaleString("en")} rows`);
  console.log(`  EXPLAIN ${name}: ${seqScans.length ? `FULL SCAN: ${seqScans.join(", ")}` : "indexes only"}`);
  return { name, sql: sql.replace(/\s+/g, " ").trim(), plan, seqScans: [...new Set(seqScans)] };
}
