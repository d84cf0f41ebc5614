import { httpUrl, logLevel, parseEnv, port, postgresUrl } from "@atlas/config";
import { z } from "zod";

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
  LOG_LEVEL: logLevel().describe("pino log level"),
});

export type CloudConfig = z.infer<typeof cloudEnvSchema>;

/** Parses service-cloud-api's environment; throws ConfigError naming each bad variable. */
export function loadCloudConfig(env: Record<string, string | undefined> = process.env): CloudConfig {
  return parseEnv(cloudEnvSchema, env);
}
