// The authorization matrix, generated from both services' OpenAPI documents (fetched from the
// running apps, never hand-listed): service-auth and service-cloud-api in one process on the
// worker's real Postgres, sharing one clock.
//
//  1. Every operation with a path parameter must be covered by a row of RESOURCES (how to create
//     the resource it names, owned by user A) or excluded by name in EXCLUDED, with the reason.
//     A new route that is neither makes the first test fail.
//  2. For every covered operation, user A's resource is tried with user B's token (same tenant) and
//     with the token of tenant Y's admin: each answer is 403 or 404, and the database is unchanged
//     (row triggers of test/fuzz/openapi-fuzz.ts, ChangeTracker; only the tables that record a
//     refusal — audit log, counters, metering — may change). The owner's own call then succeeds,
//     which proves the fixture named a real resource.
//  3. For every operation whose description declares a scope ("Needs scope `x`", or "holding `x`"
//     for service-auth routes that accept PATs), a PAT holding every other scope gets 403 with no
//     change, and a PAT holding that scope does not.
//
// HOW TO ADD A ROUTE
//  - A path parameter naming a resource of a kind already here (e.g. POST /billing/invoices/{id}/pay):
//    nothing to do when its path starts with a RESOURCES key; longer paths under a key reuse it
//    (e.g. "/v1/invoices/{id}" covers "/v1/invoices/{id}/pdf"). Otherwise add that key once, e.g.
//    "/billing/invoices/{id}": a creator that emits A's invoice.finalized and drains the billing
//    consumer (service-auth/test/billing-fixtures.ts emitInvoiceFinalized, then billingConsumer),
//    and "/admin/billing/invoices/{id}" the same with `owner: "platformAdmin"`.
//  - A new kind: one RESOURCES line `"<path up to the parameter>": { create: (w, owner) => id }`;
//    `owner: "platformAdmin"` when only platform admins may use it (attackers are then a plain user
//    of the default tenant and tenant Y's admin).
//  - A route whose body the schema alone does not make valid: one BODIES line "<METHOD> <path>".
//  - A path parameter that names no owned resource (a provider name, a public id): one EXCLUDED line
//    "<METHOD> <path>": "<why it needs no check here>".
import { randomBytes, randomUUID } from "node:crypto";
import { connectPostgres, freePort } from "@atlas/db";
import { workerDatabaseUrl } from "@atlas/db/testing";
import { createLogger, type RunningServer, startHttpServer } from "@atlas/service-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { outboxRow } from "../packages/billing-events/src/index.ts";
import { createApp as createAuthApp } from "../service-auth/src/app.ts";
import { billingConsumer } from "../service-auth/src/services/billing/jobs.ts";
import { MemoryRateLimitStore } from "../service-auth/src/services/platform/rate-limit.ts";
import { createSession } from "../service-auth/src/services/tokens/session.service.ts";
import { customerWithCard, emitInvoiceFinalized, startBillingApp } from "../service-auth/test/billing-fixtures.ts";
import type { FakeStripe } from "../service-auth/test/fakes/stripe.ts";
import { loginTestUser, TEST_CONTEXT } from "../service-auth/test/fixtures.ts";
import { INTROSPECTION_SECRET, type TestApp } from "../service-auth/test/harness.ts";
import { createApp as createCloudApp } from "../service-cloud-api/src/app.ts";
import { loadCloudConfig } from "../service-cloud-api/src/config.ts";
import { buildDeps, type Deps as CloudDeps, closeDeps } from "../service-cloud-api/src/deps.ts";
import { issueCreditNote } from "../service-cloud-api/src/services/invoicing/credit-notes.ts";
import { connectedAppOf, consentInteractionOf, oidcClientOf } from "./fuzz/oidc-resources.ts";
import { ALLOWED_ON_REJECT, ChangeTracker, type OpenApiDoc } from "./fuzz/openapi-fuzz.ts";
import { type Operation, operationsOf } from "./fuzz/requests.ts";

type Service = "auth" | "cloud";
type Login = Awaited<ReturnType<typeof loginTestUser>>;

/** A caller: a login and the headers that select its tenant. */
interface Actor {
  login: Login;
  /** Bearer (access token or PAT) and, for service-auth, `x-tenant`. */
  headers: Record<string, string>;
}

interface World {
  auth: TestApp;
  stripe: FakeStripe;
  cloudDeps: CloudDeps;
  a: Actor;
  b: Actor;
  platformAdmin: Actor;
  yAdmin: Actor;
  send(service: Service, method: string, path: string, actor: Actor, body?: unknown): Promise<Response>;
}

interface Resource {
  /** Creates a resource owned by `owner`; returns the path parameter's value (or each one's, by name). */
  create(w: World, owner: Actor): Promise<string | Record<string, string>>;
  /** Who owns it: user A (default) or, for platform-wide resources, a platform admin. */
  owner?: "a" | "platformAdmin";
}

const objectFor = async (w: World, owner: Actor) => {
  const key = `matrix/${randomUUID()}.txt`;
  const res = await w.send("cloud", "PUT", `/v1/objects/${encodeURIComponent(key)}`, owner, "bytes of A");
  if (res.status !== 200) throw new Error(`fixture object: ${res.status} ${await res.text()}`);
  return key;
};

const invoiceFor = async (w: World, owner: Actor) => {
  const id = randomUUID();
  const start = new Date(w.auth.clock.now.getTime() - 40 * 86_400_000 + Math.floor(Math.random() * 1e6));
  await w.cloudDeps.database.query(
    `INSERT INTO "cloud"."cloud_invoices" ("id", "tenantId", "userId", "number", "periodStart", "periodEnd", "planId",
       "status", "currency", "subtotalMinor", "totalMinor", "amountDueMinor", "finalizedAt", "updatedAt")
     VALUES ($1, $2, $3, (SELECT coalesce(max("number"), 0) + 1 FROM "cloud"."cloud_invoices" WHERE "tenantId" = $2),
       $4, $5, 'free', 'finalized', 'usd', 500, 500, 500, $5, $5)`,
    [id, owner.login.tenant.id, owner.login.user.id, start, new Date(start.getTime() + 30 * 86_400_000)],
  );
  return id;
};

/** An invoice of the owner charged by card through the charge saga (`decline`: the card declines). */
const chargedInvoice = async (w: World, owner: Login, card: { decline?: string } = {}) => {
  await customerWithCard(w.auth, w.stripe, card, owner);
  const invoiceId = await emitInvoiceFinalized(w.auth, {
    tenantId: owner.tenant.id,
    userId: owner.user.id,
    totalMinor: 900,
  });
  await billingConsumer(w.auth.deps, { listen: false })?.drain();
  return invoiceId;
};

/** A credit note of the owner's paid invoice (a refund of part of it). */
const creditNoteFor = async (w: World, owner: Actor) => {
  const invoiceId = await invoiceFor(w, owner);
  await w.cloudDeps.database.query(
    `UPDATE "cloud"."cloud_invoices" SET "status" = 'paid', "paidAt" = $2, "paidAmountMinor" = 500 WHERE "id" = $1`,
    [invoiceId, w.auth.clock.now],
  );
  const reference = `re_${randomBytes(12).toString("hex")}`;
  const { tenant, user } = owner.login;
  await issueCreditNote(
    w.cloudDeps.database,
    { tenantId: tenant.id, userId: user.id, invoiceId, amountMinor: 100, currency: "usd", reason: null, reference },
    "refund",
    w.auth.clock.now,
  );
  const [note] = await w.cloudDeps.database.query<{ id: string }>(
    `SELECT "id" FROM "cloud"."cloud_credit_notes" WHERE "reference" = $1`,
    [reference],
  );
  return note?.id as string;
};

/** A parked billing event (an invoice nobody could charge), for the operator routes. */
const parkedEventFor = async (w: World) => {
  const invoiceId = randomUUID();
  const row = outboxRow(
    "invoice.finalized",
    { tenantId: "t-none", userId: "u-none", invoiceId, number: 1, totalMinor: 100, currency: "usd" },
    "service-cloud-api",
    `invoice.finalized:${invoiceId}`,
  );
  const event = await w.auth.deps.prisma.billingEvent.create({
    data: {
      ...row,
      payload: row.payload,
      aggregateKey: `invoice:${invoiceId}`,
      attempts: 1,
      lastError: "invoice of an unknown user",
      parkedAt: w.auth.clock.now,
      createdAt: w.auth.clock.now,
      availableAt: w.auth.clock.now,
    },
  });
  return event.id;
};

/**
 * How to create an owned resource of each kind, keyed by the path up to and including the
 * parameter. An operation uses the longest key its path starts with.
 */
const RESOURCES: Record<string, Resource> = {
  "/auth/sessions/{id}": {
    create: async (w, owner) => {
      const { user, tenant } = owner.login;
      const session = await createSession(w.auth.deps, {
        user,
        audience: tenant.jwtAudience,
        amr: ["email"],
        context: TEST_CONTEXT,
      });
      return session.sessionId;
    },
  },
  "/auth/pats/{id}": {
    create: async (w, owner) => {
      const res = await w.send("auth", "POST", "/auth/pats", owner, { name: "matrix", scopes: ["profile:read"] });
      return ((await res.json()) as { id: string }).id;
    },
  },
  "/auth/identities/{id}": {
    create: async (w, owner) => {
      const { user } = owner.login;
      // Two identities: unlinking the only login method is refused for the owner too.
      await w.auth.deps.prisma.identity.create({
        data: { tenantId: user.tenantId, userId: user.id, provider: "sms", subject: `+1415555${randomDigits(4)}` },
      });
      const identity = await w.auth.deps.prisma.identity.create({
        data: { tenantId: user.tenantId, userId: user.id, provider: "email", subject: `${randomUUID()}@example.test` },
      });
      return identity.id;
    },
  },
  "/auth/passkeys/{id}": {
    create: async (w, owner) =>
      (
        await w.auth.deps.prisma.webAuthnCredential.create({
          data: {
            userId: owner.login.user.id,
            credentialIdBase64: randomBytes(32).toString("base64url"),
            publicKey: randomBytes(77),
            transports: ["internal"],
          },
        })
      ).id,
  },
  "/auth/mfa/trusted-devices/{id}": {
    create: async (w, owner) =>
      (
        await w.auth.deps.prisma.trustedDevice.create({
          data: {
            userId: owner.login.user.id,
            deviceHash: "dev-test",
            tokenHash: randomBytes(32).toString("hex"),
            expiresAt: new Date(w.auth.clock.now.getTime() + 30 * 86_400_000),
          },
        })
      ).id,
  },
  "/admin/tenants/{id}": { owner: "platformAdmin", create: async (_w, owner) => owner.login.tenant.id },
  "/admin/tenants/{id}/clients/{clientId}": {
    owner: "platformAdmin",
    create: async (w, owner) => {
      const id = owner.login.tenant.id;
      return { id, clientId: await oidcClientOf(w.auth, id, owner.headers) };
    },
  },
  // OpenID Provider: A's connected app (a client A consented to on the consent prompt), and a
  // sign-in request A took through its login prompt (what remains, the consent, is A's alone).
  "/auth/connected-apps/{clientId}": {
    create: (w, owner) =>
      connectedAppOf(w.auth, "default", owner.login.tenant.id, w.platformAdmin.headers, owner.login.tokens.accessToken),
  },
  "/t/{slug}/interactions/{uid}/consent": {
    create: async (w, owner) => {
      const { tenant, tokens } = owner.login;
      const { uid } = await consentInteractionOf(
        w.auth,
        "default",
        tenant.id,
        w.platformAdmin.headers,
        tokens.accessToken,
      );
      return { slug: "default", uid };
    },
  },
  "/billing/payment-methods/{id}": {
    create: async (w, owner) => {
      const { pm, profile } = await customerWithCard(w.auth, w.stripe, {}, owner.login);
      // A second card: the owner may not detach the only (default) one.
      w.stripe.attachCard(profile.stripeCustomerId, {});
      return pm;
    },
  },
  "/v1/objects/{key}": { create: objectFor },
  "/v1/invoices/{id}": { create: invoiceFor },
  "/v1/credit-notes/{id}": { create: creditNoteFor },
  // Pay now: a declined card charge of the owner's invoice (its PaymentIntent's client secret).
  "/billing/invoices/{id}": { create: (w, owner) => chargedInvoice(w, owner.login, { decline: "card_declined" }) },
  // Platform operators: a paid card invoice of some customer (refund), the platform tenant's
  // connected account (fee), a parked event (retry, discard).
  "/admin/billing/invoices/{invoiceId}": {
    owner: "platformAdmin",
    create: async (w) => chargedInvoice(w, await loginTestUser(w.auth)),
  },
  "/admin/billing/connect/{tenantId}": {
    owner: "platformAdmin",
    create: async (w, owner) => {
      const tenantId = owner.login.tenant.id;
      await w.auth.deps.prisma.connectedAccount.upsert({
        where: { tenantId },
        // Not enabled for charges: the account exists only here, so no charge may go on its behalf.
        create: { tenantId, stripeAccountId: `acct_${randomBytes(8).toString("hex")}`, chargesEnabled: false },
        update: {},
      });
      return tenantId;
    },
  },
  "/admin/billing/outbox/{id}": { owner: "platformAdmin", create: (w) => parkedEventFor(w) },
};

/** Operations with a path parameter that names no owned resource, each with the reason. */
const EXCLUDED: Record<string, string> = {
  "GET /auth/oauth/{provider}/start": "the parameter is a public provider name; no account is named (login start)",
  "GET /auth/oauth/{provider}/callback": "the parameter is a public provider name; the flow cookie binds the caller",
  "POST /auth/identities/oauth/{provider}":
    "the parameter is a public provider name; linking starts for the caller's own account only",
  "GET /t/{slug}/interactions/{uid}":
    "no owner by design: the hosted page reads it before any sign-in, the random uid (sent only to that browser in the provider's redirect) is the capability, and the view holds no account data",
  "POST /t/{slug}/interactions/{uid}/login":
    "no owner until this call: whoever holds the uid completes the login prompt with their own token of that tenant (another tenant's token gets 403: service-auth/test/oidc-provider.security.test.ts); the consent row covers the owned step",
  "POST /t/{slug}/interactions/{uid}/abort":
    "the uid is the capability: the hosted pages' Cancel works before any sign-in, and aborting only ends that browser's own sign-in request with access_denied",
  "PUT /v1/objects/{key}":
    "keys are per-caller names: B's PUT under A's key stores B's own object (GET/DELETE rows prove A's stays unreachable)",
};

/** Request bodies the schema alone does not make valid, by operation. */
const BODIES: Record<string, unknown> = {
  "PATCH /auth/passkeys/{id}": { friendlyName: "renamed by the matrix" },
  "PATCH /admin/tenants/{id}": { name: "renamed by the matrix" },
  "POST /admin/tenants/{id}/clients": {
    name: "matrix",
    redirectUris: ["https://app.example.test/callback"],
    allowedScopes: ["openid"],
    tokenEndpointAuthMethod: "client_secret_basic",
  },
  "PATCH /admin/tenants/{id}/clients/{clientId}": { name: "renamed by the matrix" },
  "POST /auth/pats": { name: "matrix", scopes: ["profile:read"] },
  "PUT /v1/objects/{key}": "bytes",
  "POST /admin/billing/invoices/{invoiceId}/refund": { reason: "requested_by_customer" },
  "PUT /admin/billing/connect/{tenantId}/application-fee": { applicationFeeBps: 100 },
  "POST /admin/billing/outbox/{id}/discard": { reason: "discarded by the authorization matrix" },
};

/** Required query parameters, by operation. */
const QUERIES: Record<string, string> = {
  "GET /v1/usage": "from=2026-01-15T00:00:00Z&to=2026-01-15T12:00:00Z",
};

function randomDigits(n: number): string {
  return Array.from(randomBytes(n), (b) => String(b % 10)).join("");
}

const opKey = (op: Operation) => `${op.method.toUpperCase()} ${op.path}`;
const pathParams = (op: Operation): string[] => [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? "");

function resourceFor(path: string): Resource | undefined {
  const keys = Object.keys(RESOURCES)
    .filter((k) => path === k || path.startsWith(`${k}/`))
    .sort((x, y) => y.length - x.length);
  return keys[0] ? RESOURCES[keys[0]] : undefined;
}

/** The scope an operation's description declares, if any. */
function declaredScope(op: Operation): string | undefined {
  return /(?:Needs scope|holding) `([a-z]+:[a-z]+)`/.exec(String(op.op.description ?? ""))?.[1];
}

function concretePath(op: Operation, value: string | Record<string, string>): string {
  return op.path.replace(/\{(\w+)\}/g, (_, name: string) =>
    encodeURIComponent(typeof value === "string" ? value : (value[name] ?? "")),
  );
}

const Y_SLUG = "tenant-y";
const Y_AUDIENCE = "tenant-y-audience";

describe("authorization matrix over both OpenAPI documents", () => {
  let auth: TestApp;
  let stripe: FakeStripe;
  let server: RunningServer;
  let cloudDeps: CloudDeps;
  let cloud: ReturnType<typeof createCloudApp>;
  let tracker: ChangeTracker;
  let w: World;
  const ops: { service: Service; op: Operation }[] = [];
  let allScopes: string[] = [];

  const actor = (login: Login, slug: string): Actor => ({
    login,
    headers: { authorization: `Bearer ${login.tokens.accessToken}`, "x-tenant": slug },
  });

  beforeAll(async () => {
    const port = await freePort();
    const issuerUrl = `http://127.0.0.1:${port}`;
    ({ t: auth, stripe } = await startBillingApp({ PUBLIC_URL: issuerUrl }));
    await auth.reset();
    server = await startHttpServer((req, env) => auth.app.fetch(req, env), port, "127.0.0.1");
    const url = await workerDatabaseUrl();
    const config = loadCloudConfig({
      DATABASE_URL: url,
      AUTH_URL: issuerUrl,
      INTROSPECTION_CLIENT_SECRET: INTROSPECTION_SECRET,
      JWT_AUDIENCES: `atlas,${Y_AUDIENCE}`,
      QUOTA_CACHE_MS: "0",
    });
    cloudDeps = {
      ...buildDeps(config, connectPostgres(url, "cloud", { max: 4 }), createLogger({ name: "c", level: "silent" })),
      now: () => auth.clock.now,
    };
    cloud = createCloudApp(cloudDeps);

    const platformAdmin = actor(await loginTestUser(auth, { roles: ["admin"] }), "default");
    const created = await auth.app.request("/admin/tenants", {
      method: "POST",
      headers: { ...platformAdmin.headers, "content-type": "application/json" },
      body: JSON.stringify({
        name: "Tenant Y",
        slug: Y_SLUG,
        allowedOrigins: ["http://localhost:3000"],
        allowedMethods: ["email"],
        jwtAudience: Y_AUDIENCE,
      }),
    });
    expect(created.status).toBe(201);
    w = {
      auth,
      stripe,
      cloudDeps,
      platformAdmin,
      a: actor(await loginTestUser(auth), "default"),
      b: actor(await loginTestUser(auth), "default"),
      yAdmin: actor(await loginTestUser(auth, { tenantSlug: Y_SLUG, roles: ["admin"] }), Y_SLUG),
      async send(service, method, path, who, body) {
        const headers: Record<string, string> = { ...who.headers, "idempotency-key": randomUUID() };
        if (service === "cloud") delete headers["x-tenant"];
        let payload: string | undefined;
        if (typeof body === "string") {
          headers["content-type"] = "application/octet-stream";
          payload = body;
        } else if (body !== undefined) {
          headers["content-type"] = "application/json";
          payload = JSON.stringify(body);
        }
        const init = { method, headers, ...(payload === undefined ? {} : { body: payload }) };
        return service === "auth" ? auth.app.request(path, init) : cloud.request(path, init);
      },
    };
    // Attackers as strong as a real one: with their own billing customer and card (else the
    // payment-method routes stop them at "create the customer first", before any ownership check).
    for (const who of [w.b, w.yAdmin]) {
      const res = await auth.app.request("/billing/customer", {
        method: "POST",
        headers: { ...who.headers, "idempotency-key": randomUUID() },
      });
      expect(res.status).toBeLessThan(300);
    }
    for (const service of ["auth", "cloud"] as const) {
      const doc: OpenApiDoc = await (await (service === "auth" ? auth.app : cloud).request("/openapi.json")).json();
      for (const op of operationsOf(doc)) ops.push({ service, op });
      if (service === "auth") {
        // The scopes a PAT may carry, from the document too.
        allScopes =
          doc.paths["/auth/pats"].post.requestBody.content["application/json"].schema.properties.scopes.items.enum;
      }
    }
    tracker = await ChangeTracker.install(url);
  }, 120_000);

  afterAll(async () => {
    await tracker?.uninstall();
    await server?.close();
    if (cloudDeps) await closeDeps(cloudDeps);
    await auth?.close();
    await stripe?.stop();
  });

  /** The clock is fixed: fresh counters so the matrix's own requests are never the 429. */
  function freshLimits() {
    auth.deps.rateLimits = new MemoryRateLimitStore();
    auth.app = createAuthApp(auth.deps);
  }

  function bodyOf(op: Operation): unknown {
    const key = opKey(op);
    if (key in BODIES) return BODIES[key];
    return op.op.requestBody?.required ? {} : undefined;
  }

  /** Every PAT but its `lastUsedAt`: presenting a PAT stamps its use, which is no change of state. */
  async function patChecksum(): Promise<string> {
    const rows = await auth.deps.prisma.$queryRawUnsafe<{ sum: string | null }[]>(
      `SELECT md5(string_agg(concat_ws('|', id, name, scopes::text, "expiresAt", "revokedAt"), ',' ORDER BY id)) AS sum
         FROM "auth"."auth_personal_access_tokens"`,
    );
    return rows[0]?.sum ?? "";
  }

  /** Sends and reports a finding unless the answer is allowed and nothing outside ALLOWED_ON_REJECT changed. */
  async function attempt(
    service: Service,
    op: Operation,
    path: string,
    who: Actor,
    allowed: number[],
    label: string,
    alsoAllowed: string[] = [],
  ): Promise<string | undefined> {
    const mark = await tracker.mark();
    const pats = await patChecksum();
    const query = QUERIES[opKey(op)];
    const res = await w.send(service, op.method.toUpperCase(), query ? `${path}?${query}` : path, who, bodyOf(op));
    const text = await res.text();
    const changed = (await tracker.since(mark)).filter(
      (c) => !ALLOWED_ON_REJECT.has(c.split(" ")[1] ?? "") && !alsoAllowed.includes(c),
    );
    if ((await patChecksum()) !== pats) changed.push("a PAT's name, scopes, expiry or revocation");
    if (!allowed.includes(res.status))
      return `${label}: ${service} ${opKey(op)} answered ${res.status} ${text.slice(0, 200)}`;
    if (changed.length > 0) return `${label}: ${service} ${opKey(op)} changed ${changed.join(", ")}`;
    return undefined;
  }

  it("every operation with a path parameter is covered by a resource fixture or excluded by name with a reason", () => {
    const names = new Set(ops.map(({ op }) => opKey(op)));
    const uncovered = ops
      .filter(({ op }) => pathParams(op).length > 0 && !(opKey(op) in EXCLUDED) && !resourceFor(op.path))
      .map(({ service, op }) => `${service} ${opKey(op)}`);
    expect(uncovered).toEqual([]);
    // Stale rows hide nothing but mislead the reader: every exclusion and fixture must still match a route.
    expect(Object.keys(EXCLUDED).filter((k) => !names.has(k))).toEqual([]);
    expect(Object.keys(RESOURCES).filter((k) => ![...names].some((n) => n.split(" ")[1]?.startsWith(k)))).toEqual([]);
    for (const reason of Object.values(EXCLUDED)) expect(reason.length).toBeGreaterThan(20);
  });

  it("user B's token (same tenant) and tenant Y's admin token get 403 or 404 on user A's resources, with no state change", async () => {
    const findings: string[] = [];
    let checked = 0;
    for (const { service, op } of ops) {
      const resource = pathParams(op).length > 0 && !(opKey(op) in EXCLUDED) ? resourceFor(op.path) : undefined;
      if (!resource) continue;
      freshLimits();
      const owner = resource.owner === "platformAdmin" ? w.platformAdmin : w.a;
      const path = concretePath(op, await resource.create(w, owner));
      for (const [who, label] of [
        [w.b, "user B, same tenant"],
        [w.yAdmin, "tenant Y's admin"],
      ] as const) {
        const finding = await attempt(service, op, path, who, [403, 404], label);
        if (finding) findings.push(finding);
      }
      // The owner's own call works: the fixture named a real resource, so the 404s above mean "not yours".
      const own = await w.send(service, op.method.toUpperCase(), path, owner, bodyOf(op));
      if (own.status >= 300) findings.push(`owner: ${service} ${opKey(op)} answered ${own.status} ${await own.text()}`);
      checked += 1;
    }
    expect(findings).toEqual([]);
    expect(checked).toBeGreaterThanOrEqual(14);
  }, 120_000);

  it("a PAT without a route's declared scope gets 403 with no state change, and one with the scope does not", async () => {
    const findings: string[] = [];
    let checked = 0;
    const pat = async (scopes: string[]): Promise<Actor> => {
      const res = await w.send("auth", "POST", "/auth/pats", w.a, { name: "matrix", scopes });
      const { token } = (await res.json()) as { token: string };
      return { login: w.a.login, headers: { authorization: `Bearer ${token}`, "x-tenant": "default" } };
    };
    for (const { service, op } of ops) {
      const scope = declaredScope(op);
      if (!scope) continue;
      freshLimits();
      expect(allScopes).toContain(scope);
      const resource = pathParams(op).length > 0 ? resourceFor(op.path) : undefined;
      const path = resource ? concretePath(op, await resource.create(w, w.a)) : op.path;
      const without = await pat(allScopes.filter((s) => s !== scope));
      const finding = await attempt(service, op, path, without, [403], `PAT without ${scope}`, [
        "UPDATE auth.auth_personal_access_tokens", // its lastUsedAt; patChecksum checks the rest
      ]);
      if (finding) findings.push(finding);
      const query = QUERIES[opKey(op)];
      const withIt = await w.send(
        service,
        op.method.toUpperCase(),
        query ? `${path}?${query}` : path,
        await pat([scope]),
        bodyOf(op),
      );
      if (withIt.status >= 300) findings.push(`PAT with ${scope}: ${service} ${opKey(op)} answered ${withIt.status}`);
      checked += 1;
    }
    expect(findings).toEqual([]);
    expect(checked).toBeGreaterThanOrEqual(10);
  }, 120_000);
});
