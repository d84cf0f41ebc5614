// The OpenID Providers of an app instance: one per tenant, built on the first OP request for it
// and rebuilt when the tenant (its resolved fields: slug, audience, brand, status) or the
// published signing keys change, so a key rotation or a tenant change takes effect at once.
import { decodeJwt } from "jose";
import type { KoaContextWithOIDC, default as Provider } from "oidc-provider";
import type { Deps } from "../../ports.ts";
import { recordAudit } from "../audit/audit.service.ts";
import type { ResolvedTenant } from "../tenancy/tenant.service.ts";
import { buildProvider, OP_ROUTES } from "./provider.ts";

const LIMITED = new Set([OP_ROUTES.token, OP_ROUTES.introspection, OP_ROUTES.revocation]);

export const issuerOf = (deps: Pick<Deps, "config">, slug: string) => `${deps.config.PUBLIC_URL}/t/${slug}`;

/** The form body of a request (op.ts hands oidc-provider the body Hono already read, as req.body). */
function formOf(ctx: KoaContextWithOIDC): URLSearchParams | null {
  if (!ctx.is("application/x-www-form-urlencoded")) return null;
  const raw = (ctx.req as unknown as { body?: Buffer }).body;
  return new URLSearchParams(raw ? raw.toString("utf8") : "");
}

/** The client a token-endpoint request claims to be (Basic, client_id, or client_assertion's iss). */
function claimedClient(ctx: KoaContextWithOIDC, form: URLSearchParams | null): string | null {
  const basic = /^Basic ([A-Za-z0-9+/=]+)$/.exec(ctx.get("authorization"));
  if (basic?.[1]) {
    const decoded = Buffer.from(basic[1], "base64").toString("utf8");
    const id = decoded.slice(0, Math.max(0, decoded.indexOf(":")));
    try {
      return decodeURIComponent(id.replace(/\+/g, "%20")) || null;
    } catch {
      return null;
    }
  }
  const id = form?.get("client_id");
  if (id) return id;
  const assertion = form?.get("client_assertion");
  if (!assertion) return null;
  try {
    const iss = decodeJwt(assertion).iss;
    return typeof iss === "string" ? iss : null;
  } catch {
    return null;
  }
}

/**
 * Per-client rate limits on /token, /introspect and /revoke (429 with Retry-After, in OAuth's
 * error JSON shape), and `oidc_token_issued` audit events for the tokens the token endpoint issues.
 */
function installHooks(deps: Deps, tenant: ResolvedTenant, provider: Provider): void {
  provider.use(async (ctx, next) => {
    const limited = ctx.method === "POST" && LIMITED.has(ctx.path);
    const form = limited ? formOf(ctx as KoaContextWithOIDC) : null;
    const clientId = limited ? claimedClient(ctx as KoaContextWithOIDC, form) : null;
    const now = deps.now();
    if (clientId) {
      const key = `oidc${ctx.path}:${tenant.id}:${clientId}`;
      const limit = deps.config.RATE_LIMIT_OIDC_PER_MIN_CLIENT;
      const result = await deps.rateLimits.hit(key, limit, 60_000, now.getTime());
      if (!result.allowed) {
        await recordAudit(
          deps.prisma,
          { eventType: "rate_limited", tenantId: tenant.id, details: { rule: `oidc${ctx.path}`, clientId } },
          now,
        );
        ctx.status = 429;
        ctx.set("Retry-After", String(result.retryAfterSec));
        ctx.set("Cache-Control", "no-store");
        ctx.body = { error: "rate_limited", error_description: "Too many requests for this client; retry later" };
        return;
      }
    }
    await next();
    if (ctx.path === OP_ROUTES.token && ctx.method === "POST" && ctx.status === 200) {
      const oidc = (ctx as KoaContextWithOIDC).oidc;
      const source = oidc?.entities.AuthorizationCode ?? oidc?.entities.RefreshToken;
      await recordAudit(
        deps.prisma,
        {
          eventType: "oidc_token_issued",
          tenantId: tenant.id,
          userId: source?.accountId ?? null,
          context: { ipAddress: ctx.ip, userAgent: ctx.get("user-agent") || null, deviceHash: null },
          details: { clientId: oidc?.client?.clientId ?? clientId, grantType: form?.get("grant_type") ?? null },
        },
        deps.now(),
      );
    }
  });
}

/** Providers kept at once (an LRU would be finer; a full cache is simply emptied and rebuilt lazily). */
const MAX_PROVIDERS = 200;

export class OidcProviders {
  readonly #cache = new Map<string, { version: string; provider: Promise<Provider> }>();
  readonly #callbacks = new WeakMap<Provider, ReturnType<Provider["callback"]>>();

  /** The provider's Node request handler, built once per provider. */
  callback(provider: Provider): ReturnType<Provider["callback"]> {
    let handler = this.#callbacks.get(provider);
    if (!handler) {
      handler = provider.callback();
      this.#callbacks.set(provider, handler);
    }
    return handler;
  }

  constructor(private readonly deps: Deps) {}

  /** The tenant's provider, (re)built when the tenant or the published keys changed. */
  get(tenant: ResolvedTenant): Promise<Provider> {
    const keys = this.deps.signingKeys.publishedKeys(this.deps.now());
    const version = JSON.stringify([keys.map((k) => k.kid), tenant]);
    const cached = this.#cache.get(tenant.id);
    if (cached && cached.version === version) return cached.provider;
    if (this.#cache.size >= MAX_PROVIDERS) this.#cache.clear();
    const provider = buildProvider(this.deps, { tenant, issuer: issuerOf(this.deps, tenant.slug), keys }).then((p) => {
      // Forwarded headers are believed only when the service trusts its proxies.
      p.proxy = this.deps.config.TRUSTED_PROXIES.length > 0;
      installHooks(this.deps, tenant, p);
      // Unexpected failures inside the provider (its answer is a 500 `server_error`); never a token.
      p.on("server_error", (_ctx: unknown, error: Error) => {
        this.deps.logger.error({ err: error.message, tenantId: tenant.id }, "OpenID Provider error");
      });
      return p;
    });
    provider.catch(() => {
      if (this.#cache.get(tenant.id)?.provider === provider) this.#cache.delete(tenant.id);
    });
    this.#cache.set(tenant.id, { version, provider });
    return provider;
  }
}
