// Resolved tenants, cached per instance for the hot paths (every /auth request, refresh,
// introspection), and the invalidation that makes an admin's change reach every instance at once:
// the change's transaction NOTIFYs, each instance LISTENs on a dedicated connection and drops its
// cache. The time-to-live stays as the bound when a notification is lost.
import { AppError } from "@atlas/errors";
import type { Logger } from "@atlas/service-kit";
import pg from "pg";
import type { Prisma } from "../../../generated/prisma/client.ts";
import { type ResolvedTenant, resolveTenant, type TenantLookup } from "./tenant.service.ts";

/** How long a resolved tenant is reused when no change notification arrives (lost, or LISTEN down). */
export const TENANT_CACHE_MS = 5_000;

/** The channel tenant changes are announced on; the payload is the tenant id. */
export const TENANT_CHANNEL = "atlas_tenant_changed";

const MAX_ENTRIES = 1_000;

interface Entry<T> {
  at: number;
  result: Promise<T>;
}

/**
 * Announces a tenant change to every instance. Call it inside the transaction that changes the
 * tenant: Postgres delivers the notification only when (and if) that transaction commits.
 */
export async function notifyTenantChanged(tx: Prisma.TransactionClient, tenantId: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_notify(${TENANT_CHANNEL}, ${tenantId})`;
}

/** A running LISTEN for tenant changes. */
export interface TenantListener {
  /** Resolves once the first LISTEN is in place (or the listener was stopped). */
  ready: Promise<void>;
  stop(): Promise<void>;
}

/** `Pick<Deps, "prisma" | "now">` (ports.ts names TenantCache: this module must not import it). */
type Lookup = TenantLookup & { now: () => Date };

function cached<T>(deps: Lookup, ttlMs: number, map: Map<string, Entry<T>>, key: string, load: () => Promise<T>) {
  const now = deps.now().getTime();
  const entry = map.get(key);
  if (entry && now - entry.at <= ttlMs) return entry.result;
  if (map.size >= MAX_ENTRIES) map.clear();
  const fresh: Entry<T> = { at: now, result: load() };
  // A failed lookup (database down) is not kept, or it would fail requests for the whole TTL
  // after the database is back; answers (404, 403) are.
  fresh.result.catch((error: unknown) => {
    if (!(error instanceof AppError) && map.get(key) === fresh) map.delete(key);
  });
  map.set(key, fresh);
  return fresh.result;
}

/** One app's tenants by slug, dropped whenever the {@link TenantCache} it came from is invalidated. */
export interface SlugCache {
  /** The tenant a slug names (empty: `default`); 404 unknown, 403 inactive, as `resolveTenant`. */
  resolve(deps: Lookup, slug: string): Promise<ResolvedTenant>;
}

/**
 * An instance's tenant caches: `isActive` by id (token checks) and, per app, tenants by slug (the
 * tenant middleware). Lookups take the caller's deps, so they run on its clock and database.
 */
export class TenantCache {
  readonly #activeById = new Map<string, Entry<boolean>>();
  // Weak: an app (and its slug cache) that is dropped is not kept alive by this registry.
  readonly #slugMaps = new Set<WeakRef<Map<string, Entry<ResolvedTenant>>>>();

  constructor(private readonly ttlMs = TENANT_CACHE_MS) {}

  /** A new slug cache for one app, invalidated together with this cache. */
  slugCache(): SlugCache {
    const map = new Map<string, Entry<ResolvedTenant>>();
    this.#slugMaps.add(new WeakRef(map));
    return {
      resolve: (deps, slug) => cached(deps, this.ttlMs, map, slug, () => resolveTenant(deps, slug || undefined)),
    };
  }

  /** Whether the tenant exists and is active (tokens of inactive tenants are inactive). */
  isActive(deps: Lookup, tenantId: string): Promise<boolean> {
    return cached(deps, this.ttlMs, this.#activeById, tenantId, async () => {
      const row = await deps.prisma.tenant.findUnique({ where: { id: tenantId }, select: { isActive: true } });
      return row?.isActive === true;
    });
  }

  /** Drops every cached tenant: the next request reads the database. */
  invalidate(): void {
    this.#activeById.clear();
    for (const ref of this.#slugMaps) {
      const map = ref.deref();
      if (map) map.clear();
      else this.#slugMaps.delete(ref);
    }
  }

  /**
   * LISTENs for tenant changes on a dedicated connection (a pooled one would be handed to other
   * queries) and invalidates on each; reconnects after errors, and invalidates on every
   * (re)connect because changes made while it was down were not heard. `ready` resolves once the
   * first LISTEN is in place; `stop` ends it.
   */
  listen(pool: pg.Pool, logger: Pick<Logger, "warn">, retryMs = 1_000): TenantListener {
    let running = true;
    let markReady: () => void = () => {};
    const ready = new Promise<void>((resolve) => {
      markReady = resolve;
    });
    let wake: (() => void) | null = null;
    const loop = async () => {
      while (running) {
        const client = new pg.Client(pool.options);
        const lost = new Promise<void>((resolve) => {
          wake = resolve;
          client.on("error", (error) => {
            logger.warn({ err: error.message }, "tenant change listener lost its connection; reconnecting");
            resolve();
          });
          client.on("end", () => resolve());
        });
        client.on("notification", () => this.invalidate());
        try {
          await client.connect();
          await client.query(`LISTEN ${TENANT_CHANNEL}`);
          this.invalidate();
          markReady();
          if (running) await lost;
        } catch (error) {
          logger.warn({ err: error instanceof Error ? error.message : String(error) }, "tenant change LISTEN failed");
        }
        await client.end().catch(() => {});
        if (running) {
          await new Promise<void>((resolve) => {
            wake = resolve;
            setTimeout(resolve, retryMs).unref();
          });
        }
      }
    };
    const done = loop();
    return {
      ready,
      // Wakes the loop where it waits (the LISTEN held, the pause before a reconnect); the loop
      // then ends its connection itself. Ending a connection that is still being opened would
      // leave pg's connect() pending forever, and this stop with it.
      stop: async () => {
        running = false;
        markReady();
        (wake as (() => void) | null)?.();
        await done;
      },
    };
  }
}
