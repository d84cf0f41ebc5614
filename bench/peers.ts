// The peer (Better Auth, bench/peer/better-auth.ts) and the bare baselines (bench/peer/bare-*.ts),
// used by bench/run.ts: bundled like the services, spawned as their own processes, seeded over
// HTTP. See bench/README.md for what each one stands for.
import { execFileSync, execSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { freePort, quoteIdent, withDatabase } from "@atlas/db";
import { waitForHttpOk } from "@atlas/service-kit/testing";
import { decodeJwt } from "jose";
import type pg from "pg";
import { type Spawned, spawnDist } from "./auth-extra.ts";

const peerDir = fileURLToPath(new URL("./peer/", import.meta.url));
const root = fileURLToPath(new URL("..", import.meta.url));

export type PeerName = "better-auth" | "bare-ping" | "bare-verifier";

/** Bundles the three apps into bench/peer/dist/ with the services' bundler (dependencies stay external). */
export function buildPeers(): void {
  for (const name of ["better-auth", "bare-ping", "bare-verifier"] satisfies PeerName[]) {
    execSync(`node ${root}scripts/bundle.mjs ${name}.ts`, { cwd: peerDir, stdio: "inherit" });
  }
}

/** Spawns a bundled peer app (`node dist/<name>.js`), like `spawnDist` spawns a service. */
export function spawnPeer(name: PeerName, env: Record<string, string>): Spawned {
  return spawnDist(peerDir, env, `dist/${name}.js`);
}

export interface BetterAuthPeer {
  proc: Spawned;
  url: string;
  /** The environment it runs with (PORT aside, a cold-start instance reuses it). */
  env: Record<string, string>;
  /** `Cookie` header values, one per signed-up user (each its own session). */
  cookies: string[];
  /** Spawn → first 200 here means: database reached, signing keys read. */
  readyPath: string;
}

/**
 * Better Auth on its own database of the bench's PostgreSQL server: creates the database, runs
 * Better Auth's migrations (its `getMigrations` API, in a separate process), starts the server,
 * signs up `users` users with email + password (one session each) and mints the RS256 key (first
 * JWKS request).
 */
export async function startBetterAuth(
  admin: pg.Client,
  serverUrl: string,
  dbName: string,
  users: number,
): Promise<BetterAuthPeer> {
  await admin.query(`CREATE DATABASE ${quoteIdent(dbName)}`);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env = {
    DATABASE_URL: withDatabase(serverUrl, dbName),
    DATABASE_POOL_MAX: "20",
    NODE_ENV: "production",
    BASE_URL: url,
    BETTER_AUTH_SECRET: randomBytes(32).toString("base64url"),
    PORT: String(port),
  };
  // Better Auth's own migration API, run by the bundle in a separate process before the server starts.
  execFileSync(process.execPath, ["dist/better-auth.js", "migrate"], {
    cwd: peerDir,
    env: { PATH: process.env.PATH, ...env },
    stdio: "inherit",
  });
  const proc = spawnPeer("better-auth", env);
  const readyPath = "/api/auth/jwks";
  await waitForHttpOk(`${url}/api/auth/ok`, 30_000, proc);
  const cookies: string[] = [];
  for (let i = 0; i < users; i++) {
    const res = await fetch(`${url}/api/auth/sign-up/email`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: url },
      body: JSON.stringify({
        email: `peer${i}@example.test`,
        password: randomBytes(12).toString("base64url"),
        name: `Peer ${i}`,
      }),
    });
    if (res.status !== 200) throw new Error(`Better Auth sign-up: ${res.status} ${await res.text()}`);
    const session = res.headers.getSetCookie().find((c) => /session_token=/.test(c));
    if (!session) throw new Error("Better Auth sign-up set no session cookie");
    cookies.push(session.split(";")[0] as string);
  }
  // The first JWKS request mints the RS256 key pair (stored encrypted in its `jwks` table).
  await waitForHttpOk(`${url}${readyPath}`, 30_000, proc);
  const check = await fetch(`${url}/api/auth/token`, { headers: { cookie: cookies[0] as string } });
  const { token } = (await check.json()) as { token: string };
  if (check.status !== 200 || !token) throw new Error(`Better Auth /token: ${check.status}`);
  const header = JSON.parse(Buffer.from(token.split(".")[0] as string, "base64url").toString()) as { alg: string };
  if (header.alg !== "RS256") throw new Error(`Better Auth signs with ${header.alg}, not RS256`);
  return { proc, url, env, cookies, readyPath };
}

/** The bare Hono `/ping` app. */
export async function startBarePing(): Promise<{ proc: Spawned; url: string }> {
  const port = await freePort();
  const proc = spawnPeer("bare-ping", { PORT: String(port), NODE_ENV: "production" });
  await waitForHttpOk(`http://127.0.0.1:${port}/ping`, 30_000, proc);
  return { proc, url: `http://127.0.0.1:${port}/ping` };
}

/**
 * The bare Hono + jose verifier, trusting service-auth's JWKS with the issuer and audience of
 * `accessToken` (an Atlas access token); checked once with that token before the run.
 */
export async function startBareVerifier(authUrl: string, accessToken: string): Promise<{ proc: Spawned; url: string }> {
  const claims = decodeJwt(accessToken);
  const audience = Array.isArray(claims.aud) ? claims.aud[0] : claims.aud;
  if (!claims.iss || !audience) throw new Error("the Atlas access token has no iss/aud");
  const port = await freePort();
  const proc = spawnPeer("bare-verifier", {
    PORT: String(port),
    NODE_ENV: "production",
    JWKS_URL: `${authUrl}/.well-known/jwks.json`,
    ISSUER: claims.iss,
    AUDIENCE: audience,
  });
  const url = `http://127.0.0.1:${port}/v1/me`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const res = await fetch(url, { headers: { authorization: `Bearer ${accessToken}` } });
      if (res.status === 200) break;
      throw new Error(`bare verifier answered ${res.status} ${await res.text()}`);
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`bare verifier: ${String(error)}\n${proc.output().slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return { proc, url };
}

/** Round-robin over the peer's sessions, so that the load is spread over several session rows. */
export function cookieRotation(cookies: string[]): () => string {
  let i = 0;
  return () => cookies[i++ % cookies.length] as string;
}
