import { connectPostgres, type DatabaseConnection } from "@atlas/db";
import { createLogger, type Logger } from "@atlas/service-kit";
import type { AuthConfig } from "./config.ts";
import { PrismaClient } from "./generated/prisma/client.ts";
import {
  DevOutbox,
  DevOutboxEmailSender,
  type EmailSender,
  ResendEmailSender,
  UnconfiguredEmailSender,
} from "./providers/email.ts";
import { DevOutboxSmsSender, type SmsSender, TwilioSmsSender, UnconfiguredSmsSender } from "./providers/sms.ts";
import { KeyRing } from "./services/crypto.ts";
import { JwtService } from "./services/jwt.service.ts";
import { rewrapTotpSecrets } from "./services/mfa-factors.service.ts";
import { OAuthClients } from "./services/oauth/providers.ts";
import { MemoryRateLimitStore, type RateLimitStore } from "./services/rate-limit.ts";
import { SigningKeyStore } from "./services/signing-keys.service.ts";
import { EvmSignatureVerifier } from "./services/siwe.service.ts";
import { startTenancyJobs } from "./services/tenancy-jobs.ts";
import { rewrapWebhookSecrets } from "./services/tenant-webhook-secrets.ts";

/** Everything service-auth's code depends on, injected so tests control time and providers. */
export interface Deps {
  config: AuthConfig;
  logger: Logger;
  prisma: PrismaClient;
  database: DatabaseConnection;
  /** The clock: every "now" in the service comes from here. */
  now: () => Date;
  keyRing: KeyRing;
  signingKeys: SigningKeyStore;
  jwt: JwtService;
  rateLimits: RateLimitStore;
  email: EmailSender;
  sms: SmsSender;
  /** The configured OAuth/OIDC providers. */
  oauth: OAuthClients;
  /** EVM signature checks (EOA locally; ERC-1271/6492 through the configured RPCs). */
  evm: EvmSignatureVerifier;
  /** Development mode only (no provider keys): what would have been sent. Null in production. */
  devOutbox: DevOutbox | null;
}

/** Builds the production dependencies on a database connection. */
export function buildDeps(config: AuthConfig, database: DatabaseConnection, logger?: Logger): Deps {
  const prisma = new PrismaClient({ adapter: database.adapter });
  const keyRing = KeyRing.parse(config.KEY_ENCRYPTION_KEYS);
  const signingKeys = new SigningKeyStore(prisma, keyRing, {
    alg: config.SIGNING_ALG,
    jwksMaxAgeSec: config.JWKS_MAX_AGE_SEC,
    accessTokenTtlSec: config.ACCESS_TOKEN_TTL_SEC,
    rotationDays: config.KEY_ROTATION_DAYS,
  });
  const now = () => new Date();
  const devOutbox = config.NODE_ENV === "production" ? null : new DevOutbox(now);
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
  return {
    config,
    logger: logger ?? createLogger({ name: "service-auth", level: config.LOG_LEVEL }),
    prisma,
    database,
    now,
    keyRing,
    signingKeys,
    jwt: new JwtService(signingKeys, config.PUBLIC_URL, config.ACCESS_TOKEN_TTL_SEC),
    rateLimits: new MemoryRateLimitStore(),
    email,
    sms,
    oauth: new OAuthClients(config),
    evm: new EvmSignatureVerifier(config.SIWE_RPC_URLS),
    devOutbox,
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

/**
 * Background jobs: reload keys (other instances rotate too) and rotate when due; the audit
 * IP-retention job and tenant webhook delivery (src/services/tenancy-jobs.ts).
 * Returns a function that stops them.
 */
export function startBackgroundJobs(deps: Deps, everyMs = 30_000): () => void {
  const timer = setInterval(() => {
    const now = deps.now();
    deps.signingKeys
      .refresh(now)
      .then(() => deps.signingKeys.rotateIfDue(now))
      .then((rotated) => rotated && deps.logger.info("signing key rotation scheduled"))
      .catch((error: unknown) => deps.logger.error({ err: error }, "signing-key job failed"));
  }, everyMs);
  timer.unref();
  const stopTenancyJobs = startTenancyJobs(deps);
  return () => {
    clearInterval(timer);
    stopTenancyJobs();
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
  await deps.prisma.$disconnect();
  await deps.database.close();
}
