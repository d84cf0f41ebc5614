import { httpUrl, logLevel, originList, parseEnv, port, postgresUrl } from "@atlas/config";
import { z } from "zod";

/** A comma-separated list of non-empty names. */
const nameList = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((v) =>
      v
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string()).min(1, "must name at least one value"));

/** service-cloud-api's environment. Each `.describe()` is the variable's documentation. */
export const cloudEnvSchema = z.object({
  NODE_ENV: z.enum(["development", "test", "production"]).default("development").describe("Runtime mode"),
  PORT: port(4001).describe("HTTP port"),
  HOST: z.string().min(1).default("127.0.0.1").describe("Interface to listen on (0.0.0.0 in containers)"),
  DATABASE_URL: postgresUrl()
    .optional()
    .describe(
      "PostgreSQL URL (database only; the service uses schema cloud and reads billing.billing_events). Unset: `npm start` runs the embedded database",
    ),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10).describe("Postgres connection pool size"),
  AUTH_URL: httpUrl().prefault("http://localhost:4000").describe("service-auth base URL (JWKS, introspection)"),
  AUTH_ISSUER: httpUrl()
    .optional()
    .describe("Expected `iss` of access tokens: service-auth's PUBLIC_URL. Unset: the value of AUTH_URL"),
  JWT_AUDIENCES: nameList("atlas").describe(
    "Comma-separated audiences accepted in access tokens (`aud` must contain one): the tenants' jwtAudience values",
  ),
  JWKS_COOLDOWN_SEC: z.coerce
    .number()
    .int()
    .min(0)
    .max(600)
    .default(30)
    .describe("After fetching the JWKS, an unknown `kid` triggers no new fetch for this long (protects service-auth)"),
  INTROSPECTION_CLIENT_ID: z
    .string()
    .min(1)
    .default("service-cloud-api")
    .describe("Client id this service presents (HTTP Basic) to service-auth's token introspection"),
  INTROSPECTION_CLIENT_SECRET: z
    .string()
    .min(32)
    .optional()
    .describe(
      "Client secret for token introspection (at least 32 characters). Unset: personal access tokens are rejected (401) and a warning is logged at boot",
    ),
  CORS_ORIGINS: originList("http://localhost:3000,http://127.0.0.1:3000").describe(
    "Comma-separated browser origins allowed to call this API (the web-app's); tokens travel as bearer headers, never cookies",
  ),
  LOG_LEVEL: logLevel().describe("pino log level"),
});

/** The parsed environment; `AUTH_ISSUER` is always set (it defaults to `AUTH_URL`). */
export type CloudConfig = Omit<z.infer<typeof cloudEnvSchema>, "AUTH_ISSUER"> & { AUTH_ISSUER: string };

/** Parses service-cloud-api's environment; throws ConfigError naming each bad variable. */
export function loadCloudConfig(env: Record<string, string | undefined> = process.env): CloudConfig {
  const parsed = parseEnv(cloudEnvSchema, env);
  // A default that depends on another variable cannot live in the per-variable schema.
  return { ...parsed, AUTH_ISSUER: parsed.AUTH_ISSUER ?? parsed.AUTH_URL };
}
