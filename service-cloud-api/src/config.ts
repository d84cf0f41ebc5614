import { isIP } from "node:net";
import { ConfigError, httpUrl, logLevel, metricsEnv, originList, parseEnv, port, postgresUrl } from "@atlas/config";
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
  NODE_ENV: z
    .enum(["development", "test", "production"])
    .default("production")
    .describe("Runtime mode; unset means production (npm start sets development)"),
  PORT: port(4001).describe("HTTP port"),
  HOST: z.string().min(1).default("127.0.0.1").describe("Interface to listen on (0.0.0.0 in containers)"),
  ...metricsEnv(),
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
  BEARER_FAILURES_PER_MIN_IP: z.coerce
    .number()
    .int()
    .min(1)
    .default(60)
    .describe(
      "Failed bearer authentications (bad JWT or PAT) per minute and client address (IPv6: per /64); past it the address gets 429 and service-auth is not asked",
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
  CORS_ORIGINS: originList("http://localhost:3000,http://127.0.0.1:3000").describe(
    "Comma-separated browser origins allowed to call this API (the web-app's); tokens travel as bearer headers, never cookies",
  ),
  USAGE_FLUSH_INTERVAL_MS: z.coerce
    .number()
    .int()
    .min(50)
    .max(1_000)
    .default(1_000)
    .describe(
      "Usage counted in memory is written to Postgres this often (and on SIGTERM); a hard crash loses at most this much usage",
    ),
  QUOTA_CACHE_MS: z.coerce
    .number()
    .int()
    .min(0)
    .max(60_000)
    .default(5_000)
    .describe(
      "How long a customer's entitlement and period usage are cached for allowance checks (other instances' usage shows after this)",
    ),
  OUTBOX_POLL_INTERVAL_MS: z.coerce
    .number()
    .int()
    .min(10)
    .max(60_000)
    .default(1_000)
    .describe(
      "Billing events are consumed on LISTEN/NOTIFY; this polling interval is the fallback if a notification is lost",
    ),
  BILLING_JOB_INTERVAL_SEC: z.coerce
    .number()
    .int()
    .min(1)
    .max(3_600)
    .default(60)
    .describe(
      "How often the background jobs run: storage byte-hour accrual, invoice finalization, blob garbage collection",
    ),
  INVOICE_GRACE_SEC: z.coerce
    .number()
    .int()
    .min(0)
    .max(86_400)
    .default(300)
    .describe(
      "A period is invoiced this long after it ends, so every instance's last usage flush is in (must exceed the flush interval)",
    ),
  INVOICE_DUE_DAYS: z.coerce
    .number()
    .int()
    .min(0)
    .max(365)
    .default(14)
    .describe(
      "An invoice is due this many days after it is finalized; still unpaid (finalized or failed, not void) after that, the customer shows pastDue",
    ),
  BLOB_GC_GRACE_SEC: z.coerce
    .number()
    .int()
    .min(0)
    .max(604_800)
    .default(3_600)
    .describe("Bytes of replaced or deleted objects are kept this long, so downloads already under way finish"),
  BLOB_STORE: z
    .enum(["postgres", "s3"])
    .default("postgres")
    .describe(
      "Where object bytes live: `postgres` (chunks in the database, the default) or `s3` (an S3-compatible bucket: set S3_BUCKET, AWS_REGION and the AWS credentials)",
    ),
  S3_BUCKET: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "an S3 bucket name (3-63 lowercase letters, digits, dots, hyphens)")
    .optional()
    .describe("BLOB_STORE=s3: the bucket holding object bytes (keys blobs/<id>)"),
  AWS_REGION: z
    .string()
    .regex(/^[a-z0-9-]{2,32}$/, "a region name such as eu-west-1")
    .optional()
    .describe("BLOB_STORE=s3: the bucket's region"),
  AWS_ACCESS_KEY_ID: z
    .string()
    .min(1)
    .optional()
    .describe(
      "BLOB_STORE=s3: access key id (with AWS_SECRET_ACCESS_KEY; both unset: the SDK's default credential chain)",
    ),
  AWS_SECRET_ACCESS_KEY: z.string().min(1).optional().describe("BLOB_STORE=s3: secret access key"),
  AWS_ENDPOINT_URL: httpUrl()
    .optional()
    .describe(
      "BLOB_STORE=s3: an S3-compatible endpoint instead of AWS (MinIO, Ceph, a local peer); requests then use path-style URLs",
    ),
  RECONCILE_INTERVAL_SEC: z.coerce
    .number()
    .int()
    .min(0)
    .max(604_800)
    .default(3_600)
    .describe(
      "How often the reconciliation job compares usage, invoices, storage totals and subscriptions (0: never in the background)",
    ),
  LOG_LEVEL: logLevel().describe("pino log level"),
});

/** The parsed environment; `AUTH_ISSUER` is always set (it defaults to `AUTH_URL`). */
export type CloudConfig = Omit<z.infer<typeof cloudEnvSchema>, "AUTH_ISSUER"> & { AUTH_ISSUER: string };

/** Parses service-cloud-api's environment; throws ConfigError naming each bad variable. */
export function loadCloudConfig(env: Record<string, string | undefined> = process.env): CloudConfig {
  const parsed = parseEnv(cloudEnvSchema, env);
  if (parsed.BLOB_STORE === "s3") {
    const issues: { variable: string; message: string }[] = (["S3_BUCKET", "AWS_REGION"] as const)
      .filter((name) => parsed[name] === undefined)
      .map((variable) => ({ variable, message: "required when BLOB_STORE=s3" }));
    if ((parsed.AWS_ACCESS_KEY_ID === undefined) !== (parsed.AWS_SECRET_ACCESS_KEY === undefined)) {
      issues.push({
        variable: "AWS_SECRET_ACCESS_KEY",
        message: "set both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or neither",
      });
    }
    if (issues.length > 0) throw new ConfigError(issues);
  }
  // A default that depends on another variable cannot live in the per-variable schema.
  return { ...parsed, AUTH_ISSUER: parsed.AUTH_ISSUER ?? parsed.AUTH_URL };
}
