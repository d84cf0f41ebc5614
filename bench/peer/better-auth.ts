// The peer: a small Better Auth server for `pnpm bench`, on the bench's PostgreSQL (its own
// database), email + password sign-in and the JWT plugin in RS256 (2048-bit, as Atlas signs).
// Bundled like the services (`node dist/better-auth.js`); `node dist/better-auth.js migrate`
// creates Better Auth's tables with its own migration API and exits.
//
// Settings that would skew the comparison are the ones a production deployment would also make:
// rate limiting and telemetry off (Atlas's limits are lifted for the bench too), and the JWT
// plugin's `set-auth-jwt` header on `get-session` off, so that `get-session` is a session check
// only (with the header it would also sign a JWT on every call).
import { serve } from "@hono/node-server";
import { betterAuth } from "better-auth";
import { jwt } from "better-auth/plugins";
import { Hono } from "hono";
import pg from "pg";

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

const baseURL = env("BASE_URL");
const pool = new pg.Pool({ connectionString: env("DATABASE_URL"), max: Number(env("DATABASE_POOL_MAX")) });

const auth = betterAuth({
  baseURL,
  secret: env("BETTER_AUTH_SECRET"),
  database: pool,
  emailAndPassword: { enabled: true },
  rateLimit: { enabled: false },
  telemetry: { enabled: false },
  logger: { level: "error" },
  plugins: [
    jwt({
      jwks: { keyPairConfig: { alg: "RS256", modulusLength: 2048 } },
      jwt: { issuer: baseURL, audience: baseURL, expirationTime: "15m" },
      disableSettingJwtHeader: true,
    }),
  ],
});

async function migrate() {
  const { getMigrations } = await import("better-auth/db/migration");
  const { runMigrations } = await getMigrations(auth.options);
  await runMigrations();
  await pool.end();
}

function listen() {
  const app = new Hono();
  app.on(["GET", "POST"], "/api/auth/*", (c) => auth.handler(c.req.raw));
  serve({ fetch: app.fetch, port: Number(env("PORT")), hostname: "127.0.0.1" });
}

if (process.argv[2] === "migrate") {
  migrate().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
} else listen();
