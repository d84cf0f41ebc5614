// The ports of service-auth: what its code depends on (Deps), the Hono environment of its routes
// (AuthEnv) and the authenticated caller (Principal). A leaf module: it imports types only, from
// adapters and platform classes, never a service, so every service and route can import it
// without an import cycle. The composition root (deps.ts) builds a Deps; app.ts wires routes.
import type { DatabaseConnection } from "@atlas/db";
import type { BaseVariables, Logger, MetricsRegistry } from "@atlas/service-kit";
import type { PrismaClient } from "../generated/prisma/client.ts";
import type { AuthConfig } from "./config.ts";
import type { ChainReaders } from "./providers/chains.ts";
import type { DevOutbox, EmailSender } from "./providers/email.ts";
import type { EvmSignatureVerifier } from "./providers/evm.ts";
import type { RedisConnection } from "./providers/redis.ts";
import type { RelayClient } from "./providers/relay.ts";
import type { SmsSender } from "./providers/sms.ts";
import type { StripeGateway } from "./providers/stripe-gateway.ts";
import type { RateSource } from "./services/billing/crypto/crypto-rates.ts";
import type { JwtService } from "./services/jwt.service.ts";
import type { GeoLocator } from "./services/login/geo.service.ts";
import type { OAuthClients } from "./services/methods/oauth/providers.ts";
import type { KeyRing } from "./services/platform/crypto.ts";
import type { RateLimitStore } from "./services/platform/rate-limit.ts";
import type { ResolvedTenant } from "./services/tenancy/tenant.service.ts";
import type { TenantCache } from "./services/tenancy/tenant-cache.ts";
import type { SigningKeyStore } from "./services/tokens/signing-keys.service.ts";

/**
 * Randomness: every id, secret, code and nonce in the service comes from here (node:crypto in
 * production, see deps.ts). Cryptographically secure in every implementation used outside tests.
 */
export interface RandomSource {
  /** `n` random bytes. */
  bytes(n: number): Buffer;
  /** A uniform integer in [min, max), like crypto.randomInt. */
  int(min: number, max: number): number;
  /** A random (v4) UUID. */
  uuid(): string;
  /** base64url of `bytes` random bytes: an opaque secret or token. */
  token(bytes: number): string;
}

/** Everything service-auth's code depends on, injected so tests control time and providers. */
export interface Deps {
  config: AuthConfig;
  logger: Logger;
  /** This process's Prometheus registry: the app's HTTP metrics and the background jobs' metrics (`/metrics`). */
  metrics: MetricsRegistry;
  prisma: PrismaClient;
  database: DatabaseConnection;
  /** The clock: every "now" in the service comes from here. */
  now: () => Date;
  /** Randomness: every id, secret, code and nonce in the service comes from here. */
  random: RandomSource;
  /** Outbound HTTP (OAuth token/userinfo endpoints, tenant webhooks). */
  fetch: typeof globalThis.fetch;
  keyRing: KeyRing;
  signingKeys: SigningKeyStore;
  jwt: JwtService;
  rateLimits: RateLimitStore;
  email: EmailSender;
  sms: SmsSender;
  /** The configured OAuth/OIDC providers. */
  oauth: OAuthClients;
  /** Offline IP geolocation (GEOIP_DB_PATHS). */
  geo: GeoLocator;
  /** EVM signature checks (EOA locally; ERC-1271/6492 through the configured RPCs). */
  evm: EvmSignatureVerifier;
  /** The Redis connection of the shared rate-limit store (REDIS_URL), closed with the deps. */
  redis: RedisConnection | null;
  /** Development mode only (no provider keys): what would have been sent. Null in production. */
  devOutbox: DevOutbox | null;
  /** Stripe (billing); null when STRIPE_SECRET_KEY is unset. */
  stripe: StripeGateway | null;
  /** Crypto payments: chain RPCs (verification), token prices, and Relay quotes (null when unconfigured). */
  crypto: { chains: ChainReaders; relay: RelayClient | null; rates: RateSource };
  /** This instance's tenant caches, emptied by tenant changes (LISTEN/NOTIFY across instances). */
  tenantCache: TenantCache;
}

/** The authenticated caller of a service-auth endpoint. */
export interface Principal {
  userId: string;
  sessionId: string;
  tenantId: string;
  scopes: string[];
  amr: string[];
  roles: string[];
  /** Set when the caller authenticated with a personal access token (no session behind it). */
  pat?: { id: string; expiresAt: Date | null };
}

declare module "hono" {
  interface ContextVariableMap {
    principal: Principal;
  }
}

export type AuthEnv = { Variables: BaseVariables & { tenant: ResolvedTenant; principal: Principal } };
