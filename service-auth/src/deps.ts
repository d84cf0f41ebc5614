import { randomBytes, randomInt, randomUUID } from "node:crypto";
import { connectPostgres, type DatabaseConnection } from "@atlas/db";
import { createLogger, createMetricsRegistry, type Job, type Logger, startJobs } from "@atlas/service-kit";
import { PrismaClient } from "../generated/prisma/client.ts";
import type { AuthConfig } from "./config.ts";
import type { Deps, RandomSource } from "./ports.ts";
import { ChainReaders } from "./providers/chains.ts";
import {
  DevOutbox,
  DevOutboxEmailSender,
  type EmailSender,
  ResendEmailSender,
  UnconfiguredEmailSender,
} from "./providers/email.ts";
import { EvmSignatureVerifier } from "./providers/evm.ts";
import { RedisConnection } from "./providers/redis.ts";
import { RelayClient } from "./providers/relay.ts";
import { DevOutboxSmsSender, type SmsSender, TwilioSmsSender, UnconfiguredSmsSender } from "./providers/sms.ts";
import { StripeSdkGateway } from "./providers/stripe.ts";
import { ChainlinkRateSource } from "./services/billing/crypto/crypto-rates.ts";
import { startBillingJobs } from "./services/billing/jobs.ts";
import { JwtService } from "./services/jwt.service.ts";
import { GeoLocator } from "./services/login/geo.service.ts";
import { OAuthClients } from "./services/methods/oauth/providers.ts";
import { rewrapTotpSecrets } from "./services/mfa/mfa-factors.service.ts";
import { rateLimitFallbacks } from "./services/platform/business-metrics.ts";
import { KeyRing } from "./services/platform/crypto.ts";
import { MemoryRateLimitStore, RedisRateLimitStore } from "./services/platform/rate-limit.ts";
import { tenancyJobs } from "./services/tenancy/tenancy-jobs.ts";
import { TenantCache } from "./services/tenancy/tenant-cache.ts";
import { rewrapWebhookSecrets } from "./services/tenancy/tenant-webhook-secrets.ts";
import { SigningKeyStore } from "./services/tokens/signing-keys.service.ts";

/** The system's randomness: node:crypto's CSPRNG. The only RandomSource of production. */
export const systemRandom: RandomSource = {
  bytes: (n) => randomBytes(n),
  int: (min, max) => randomInt(min, max),
  uuid: () => randomUUID(),
  token: (bytes) => randomBytes(bytes).toString("base64url"),
};

/** What the process takes from its surroundings; each defaults to the system's own. */
export interface Ambient {
  /** The clock (default: the system clock). */
  now?: () => Date;
  /** Randomness (default: {@link systemRandom}). */
  random?: RandomSource;
  /** Outbound HTTP (default: the global fetch). */
  fetch?: typeof fetch;
  /** The logger (default: pino at LOG_LEVEL). */
  logger?: Logger;
}

/**
 * Builds the production dependencies on a database connection. The clock, randomness, outbound
 * HTTP and logger are taken here, once: no service reads them from the process (biome.json's
 * service-auth override enforces it).
 */
export function buildDeps(config: AuthConfig, database: DatabaseConnection, ambient: Ambient = {}): Deps {
  const now = ambient.now ?? (() => new Date());
  const random = ambient.random ?? systemRandom;
  const fetchImpl = ambient.fetch ?? globalThis.fetch;
  const prisma = new PrismaClient({ adapter: database.adapter });
  const keyRing = KeyRing.parse(config.KEY_ENCRYPTION_KEYS, random);
  const signingKeys = new SigningKeyStore(prisma, keyRing, {
    alg: config.SIGNING_ALG,
    jwksMaxAgeSec: config.JWKS_MAX_AGE_SEC,
    accessTokenTtlSec: config.ACCESS_TOKEN_TTL_SEC,
    rotationDays: config.KEY_ROTATION_DAYS,
  });
  const log = ambient.logger ?? createLogger({ name: "service-auth", level: config.LOG_LEVEL });
  const redis = config.REDIS_URL ? new RedisConnection(config.REDIS_URL, log) : null;
  const devOutbox = config.dev.outbox ? new DevOutbox(now, random) : null;
  const chains = new ChainReaders(config.CRYPTO_RPC_URLS);
  const email: EmailSender = config.RESEND_API_KEY
    ? new ResendEmailSender(config.RESEND_API_KEY, config.EMAIL_FROM, config.RESEND_BASE_URL)
    : devOutbox
      ? new DevOutboxEmailSender(devOutbox)
      : new UnconfiguredEmailSender();
  const sms: SmsSender =
    config.TWILIO_ACCOUNT_SID && config.TWILIO_AUTH_TOKEN && config.TWILIO_FROM
      ? new TwilioSmsSender(
          config.TWILIO_ACCOUNT_SID,
          config.TWILIO_AUTH_TOKEN,
          config.TWILIO_FROM,
          config.TWILIO_BASE_URL,
        )
      : devOutbox
        ? new DevOutboxSmsSender(devOutbox)
        : new UnconfiguredSmsSender();
  const metrics = createMetricsRegistry("service-auth");
  return {
    config,
    logger: log,
    metrics,
    prisma,
    database,
    now,
    random,
    fetch: fetchImpl,
    keyRing,
    signingKeys,
    jwt: new JwtService(signingKeys, config.PUBLIC_URL, config.ACCESS_TOKEN_TTL_SEC, random),
    rateLimits: redis
      ? new RedisRateLimitStore(redis, {
          onDegraded: (error) =>
            log.warn(
              { err: error instanceof Error ? error.message : String(error) },
              "Redis unavailable: rate limits fall back to this instance's memory",
            ),
          onFallbackHit: () => rateLimitFallbacks(metrics).inc(),
        })
      : new MemoryRateLimitStore(),
    redis,
    email,
    sms,
    oauth: new OAuthClients(config, fetchImpl),
    evm: new EvmSignatureVerifier(config.SIWE_RPC_URLS),
    geo: new GeoLocator(config.GEOIP_DB_PATHS),
    devOutbox,
    stripe: config.STRIPE_SECRET_KEY
      ? new StripeSdkGateway(config.STRIPE_SECRET_KEY, config.STRIPE_API_BASE_URL)
      : null,
    crypto: {
      chains,
      relay: config.RELAY_API_URL ? new RelayClient(config.RELAY_API_URL, config.RELAY_API_KEY, fetchImpl) : null,
      rates: new ChainlinkRateSource((chainId) => chains.client(chainId)),
    },
    tenantCache: new TenantCache(),
  };
}

/**
 * Work before serving: re-wrap keys left under an older KEK (signing keys, TOTP and webhook
 * secrets), load signing keys, and make sure one can sign.
 */
export async function initDeps(deps: Deps): Promise<void> {
  const rewrapped = await deps.signingKeys.rewrap();
  if (rewrapped > 0) deps.logger.info({ rewrapped }, "signing keys re-wrapped under the current KEK");
  const totp = await rewrapTotpSecrets(deps);
  if (totp > 0) deps.logger.info({ rewrapped: totp }, "TOTP secrets re-wrapped under the current KEK");
  const webhookSecrets = await rewrapWebhookSecrets(deps);
  if (webhookSecrets > 0)
    deps.logger.info({ rewrapped: webhookSecrets }, "webhook secrets re-wrapped under the current KEK");
  await deps.signingKeys.refresh(deps.now());
  await deps.signingKeys.ensureSigner(deps.now());
}

/** Reloads signing keys every `everyMs` (other instances rotate too) and rotates when due. */
function signingKeyJob(deps: Deps, everyMs: number): Job {
  return {
    name: "signing_keys",
    everyMs,
    run: async () => {
      const now = deps.now();
      await deps.signingKeys.refresh(now);
      if (await deps.signingKeys.rotateIfDue(now)) deps.logger.info("signing key rotation scheduled");
    },
  };
}

/**
 * Background work: the signing-key job and the tenancy jobs (src/services/tenancy/tenancy-jobs.ts)
 * on the shared job runner; the billing consumer and jobs (src/services/billing/jobs.ts); the
 * LISTEN for tenant changes (src/services/tenancy/tenant-cache.ts).
 * Returns a function that stops them all and resolves once the runs in progress, the outbox
 * consumer and the listener have drained: await it before closeDeps closes the pool.
 */
export function startBackgroundJobs(deps: Deps, everyMs = 30_000): () => Promise<void> {
  const jobs = startJobs([signingKeyJob(deps, everyMs), ...tenancyJobs(deps)], {
    logger: deps.logger,
    metrics: deps.metrics,
  });
  const stopBilling = startBillingJobs(deps);
  // Other instances' tenant changes empty this one's caches. The embedded database serves one
  // process, where the change itself empties the cache (tenant-admin.service.ts).
  const tenantListener = deps.database.pool ? deps.tenantCache.listen(deps.database.pool, deps.logger) : null;
  return async () => {
    await Promise.all([jobs.stop(), stopBilling(), tenantListener?.stop()]);
  };
}

/** Connects to DATABASE_URL (required outside the embedded launcher). */
export function connectDatabase(config: AuthConfig): DatabaseConnection {
  if (!config.DATABASE_URL) {
    throw new Error("DATABASE_URL is not set: set it, or run `npm start` for the embedded database");
  }
  return connectPostgres(config.DATABASE_URL, "auth", { max: config.DATABASE_POOL_MAX });
}

export async function closeDeps(deps: Deps): Promise<void> {
  await deps.redis?.close();
  await deps.prisma.$disconnect();
  await deps.database.close();
}

export type { Deps } from "./ports.ts";
