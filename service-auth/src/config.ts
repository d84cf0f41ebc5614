import { httpUrl, logLevel, originList, parseEnv, port, postgresUrl } from "@atlas/config";
import { z } from "zod";

/** service-auth's environment. Each `.describe()` is the variable's documentation. */
export const authEnvSchema = z.object({
  NODE_ENV: z
    .enum(["development", "test", "production"])
    .default("development")
    .describe("development enables the dev outbox and relaxed cookie flags; production is strict"),
  PORT: port(4000).describe("HTTP port"),
  HOST: z.string().min(1).default("127.0.0.1").describe("Interface to listen on (0.0.0.0 in containers)"),
  DATABASE_URL: postgresUrl()
    .optional()
    .describe(
      "PostgreSQL URL (database only; the service uses schemas auth and billing). Unset: `npm start` runs the embedded database",
    ),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10).describe("Postgres connection pool size"),
  PUBLIC_URL: httpUrl().prefault("http://localhost:4000").describe("Public base URL of this service: the JWT issuer"),
  WEB_ORIGIN: httpUrl().prefault("http://localhost:3000").describe("Origin of the web-app (magic-link target)"),
  DEFAULT_TENANT_ORIGINS: originList("http://localhost:3000,http://127.0.0.1:3000").describe(
    "Comma-separated allowedOrigins given to the `default` tenant when it is first seeded",
  ),
  LOG_LEVEL: logLevel().describe("pino log level"),
});

export type AuthConfig = z.infer<typeof authEnvSchema>;

/** Parses service-auth's environment; throws ConfigError naming each bad variable. */
export function loadAuthConfig(env: Record<string, string | undefined> = process.env): AuthConfig {
  return parseEnv(authEnvSchema, env);
}
