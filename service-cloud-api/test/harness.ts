import { startTestIssuer, type TestIssuer } from "@atlas/auth-verify/testing";
import { connectPostgres } from "@atlas/db";
import { truncateAll, workerDatabaseUrl } from "@atlas/db/testing";
import { createLogger } from "@atlas/service-kit";
import { createApp } from "../src/app.ts";
import { type CloudConfig, loadCloudConfig } from "../src/config.ts";
import { attachMetering, buildDeps, closeDeps, type Deps } from "../src/deps.ts";
import type { S3Peer } from "./fakes/s3-peer.ts";

export const ALL_SCOPES = "profile:read objects:read objects:write usage:read billing:read";
export const FIXED_NOW = new Date("2026-03-10T12:00:00.000Z");

export interface CloudTestApp {
  app: ReturnType<typeof createApp>;
  deps: Deps;
  config: CloudConfig;
  issuer: TestIssuer;
  url: string;
  /** Set `clock.now` to move time (tokens are signed on this clock too). */
  clock: { now: Date };
  /** An access token of `sub` in tenant `tid` with `scope` (default: every user scope). */
  token(sub: string, options?: { tid?: string; scope?: string }): Promise<string>;
  /** Authorization header for `sub` (every scope). */
  as(sub: string, options?: { tid?: string; scope?: string }): Promise<Record<string, string>>;
  /** Empties every table, resets the clock, fresh meter, quota cache and app. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

/** service-cloud-api on this worker's Postgres with a fake issuer and a settable clock. */
export async function createCloudTestApp(env: Record<string, string> = {}): Promise<CloudTestApp> {
  const issuer = await startTestIssuer();
  const url = await workerDatabaseUrl();
  const config = loadCloudConfig({
    DATABASE_URL: url,
    NODE_ENV: "test",
    AUTH_URL: issuer.url,
    INTROSPECTION_CLIENT_SECRET: issuer.clientSecret,
    QUOTA_CACHE_MS: "0",
    ...env,
  });
  const clock = { now: FIXED_NOW };
  const deps = attachMetering({
    ...buildDeps(
      config,
      // DATABASE_POOL_MAX in `env` sizes the pool (tests of pool exhaustion); else 6.
      connectPostgres(url, "cloud", { max: env.DATABASE_POOL_MAX ? config.DATABASE_POOL_MAX : 6 }),
      createLogger({ name: "t", level: "silent" }),
    ),
    now: () => clock.now,
  });
  const t: CloudTestApp = {
    app: createApp(deps),
    deps,
    config,
    issuer,
    url,
    clock,
    token: (sub, options = {}) =>
      issuer.sign(
        { sub, tid: options.tid ?? "tenant_a", scope: options.scope ?? ALL_SCOPES },
        { now: Math.floor(clock.now.getTime() / 1000) },
      ),
    async as(sub, options) {
      return { authorization: `Bearer ${await t.token(sub, options)}` };
    },
    async reset() {
      await deps.meter.stop().catch(() => {});
      await truncateAll(url);
      clock.now = FIXED_NOW;
      attachMetering(deps);
      t.app = createApp(deps);
    },
    async close() {
      await closeDeps(deps);
      await issuer.stop();
    },
  };
  return t;
}

/** The environment selecting the S3 blob store on `peer`. */
export const s3Env = (peer: S3Peer): Record<string, string> => ({
  BLOB_STORE: "s3",
  S3_BUCKET: peer.bucket,
  AWS_REGION: peer.region,
  AWS_ACCESS_KEY_ID: peer.accessKeyId,
  AWS_SECRET_ACCESS_KEY: peer.secretAccessKey,
  AWS_ENDPOINT_URL: peer.url,
});

/** A response body in tests, where `expect` checks its shape. */
// biome-ignore lint/suspicious/noExplicitAny: test assertions read response bodies loosely; expect() checks them
export type Json = any;
export const bodyOf = async (res: Response): Promise<Json> => res.json();
