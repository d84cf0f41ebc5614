// The web-app's browser tests: the built web-app (web-app/serve.mjs over web-app/dist), the
// real service-auth on this worker's real PostgreSQL (the same harness as service-auth's own
// tests, but on the real clock) and the real service-cloud-api on the same database with its
// background work running (usage flushes, billing events consumer, periodic jobs), as
// `service-cloud-api/src/main.ts` runs it; driven in Debian's Chromium through playwright-core.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectPostgres, freePort } from "@atlas/db";
import { workerDatabaseUrl } from "@atlas/db/testing";
import { createLogger, type RunningServer, startHttpServer } from "@atlas/service-kit";
import { waitForHttpOk } from "@atlas/service-kit/testing";
import type { BrowserContext, CDPSession, Page } from "playwright-core";
import { createApp } from "../../service-auth/src/app.ts";
import { startBillingJobs } from "../../service-auth/src/services/billing/jobs.ts";
import { createTestApp, INTROSPECTION_SECRET, type TestApp } from "../../service-auth/test/harness.ts";
import { SoftAuthenticator } from "../../service-auth/test/soft-authenticator.ts";
import { createApp as createCloudApp } from "../../service-cloud-api/src/app.ts";
import { loadCloudConfig } from "../../service-cloud-api/src/config.ts";
import { buildDeps as buildCloudDeps, type Deps as CloudDeps, closeDeps } from "../../service-cloud-api/src/deps.ts";
import { startBackground } from "../../service-cloud-api/src/services/jobs.ts";
import { type CloudPrisma, cloudPrisma } from "../../service-cloud-api/test/prisma.ts";
import { CHROMIUM, isPhone, launchChromium, VIEWPORT } from "./chromium.ts";

/** Without Chromium a developer's run skips the browser tests; CI must have it (and fails loudly). */
export { CHROMIUM, isPhone, VIEWPORT };
export const skipBrowser = !existsSync(CHROMIUM) && !process.env.CI;
const root = new URL("../..", import.meta.url).pathname;
/** Screenshots of the pages the tests reach, kept as test artifacts (gitignored). */
export const ARTIFACTS = join(root, "test-results/web");

export interface OutboxItem {
  channel: string;
  to: string;
  subject?: string;
  text?: string;
  link?: string;
  token?: string;
  code?: string;
}

export interface WebStack {
  /** service-auth in this process: its deps (prisma, clock) are at hand for setting up state. */
  t: TestApp;
  authUrl: string;
  /**
   * service-cloud-api (the web-app's API_URL), its deps (database, meter) for setting up state,
   * and a Prisma client over its tables for reading rows (the stack's own; closed with it).
   */
  cloud: { url: string; deps: CloudDeps; prisma: CloudPrisma };
  /** The web-app's origin (http://localhost is a secure context: WebAuthn and Web Locks work). */
  webUrl: string;
  browser: BrowserContext;
  /** Every e-mail and SMS service-auth would have sent, newest first. */
  outbox(): Promise<OutboxItem[]>;
  /** The newest message to `to` carrying a sign-in link (e-mail) or code (SMS), waiting for it. */
  lastMessage(channel: "email" | "sms", to: string): Promise<OutboxItem>;
  /** A page of a fresh visitor (the context's cookies are cleared first). */
  newPage(): Promise<Page>;
  /** Changes the default tenant's settings (mfa, risk...) and drops the service's tenant cache. */
  setTenantSettings(settings: Record<string, unknown>): Promise<void>;
  /** Changes the default tenant's allowed login methods (and drops the tenant cache). */
  setAllowedMethods(methods: string[]): Promise<void>;
  /**
   * The README's screenshot `docs/screenshots/<name>.png` (taken at the desktop size only; at
   * phone size this is the artifact screenshot), checked with axe-core like every screenshot.
   */
  readmeScreenshot(page: Page, name: string): Promise<void>;
  /**
   * Keeps a screenshot of the page as a test artifact and checks it with axe-core: no serious or
   * critical WCAG 2.1 A/AA violation is allowed (acceptance criterion of the web-app).
   */
  screenshot(page: Page, name: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts service-auth (real Postgres, real clock, the given env on top of the test env) on a
 * free port, the built web-app pointed at it, and a headless Chromium with a fresh profile.
 */
export async function startWebStack(
  options: {
    env?: (urls: { authUrl: string; webUrl: string }) => Promise<Record<string, string>>;
    /** Extra environment of the web-app's server (web-app/serve.mjs), e.g. CRYPTO_PAYMENT_OPTIONS. */
    webEnv?: Record<string, string>;
  } = {},
): Promise<WebStack> {
  if (!existsSync(CHROMIUM)) throw new Error("Chromium is missing: apt-get install chromium (.ci/run does)");
  if (!existsSync(join(root, "web-app/dist/index.html"))) {
    throw new Error("web-app/dist is missing: pnpm --filter @atlas/web-app build (npm test builds it)");
  }
  const [authPort, cloudPort, webPort] = [await freePort(), await freePort(), await freePort()];
  const authUrl = `http://localhost:${authPort}`;
  const cloudUrl = `http://localhost:${cloudPort}`;
  const webUrl = `http://localhost:${webPort}`;
  const t = await createTestApp({
    env: {
      PUBLIC_URL: authUrl,
      WEB_ORIGIN: webUrl,
      DEFAULT_TENANT_ORIGINS: webUrl,
      // One browser signs in many times per test file from one IP.
      RATE_LIMIT_LOGIN_START_PER_HOUR: "1000",
      RATE_LIMIT_LOGIN_PER_MIN_IP: "1000",
      ...(await options.env?.({ authUrl, webUrl })),
    },
    // Browsers live in real time: token expiry, TOTP steps and cookie ages follow the wall clock.
    deps: { now: () => new Date() },
  });
  await t.reset();
  const auth: RunningServer = await startHttpServer((req, env) => t.app.fetch(req, env), authPort, "127.0.0.1");
  // service-auth's charge saga consumes cloud-api's invoice.finalized, as its main process does.
  const stopBillingJobs = startBillingJobs(t.deps);
  const databaseUrl = await workerDatabaseUrl();
  const cloudConfig = loadCloudConfig({
    DATABASE_URL: databaseUrl,
    NODE_ENV: "test",
    AUTH_URL: authUrl,
    INTROSPECTION_CLIENT_SECRET: INTROSPECTION_SECRET,
    CORS_ORIGINS: webUrl,
    // What the browser shows follows quickly: usage written, storage accrued and events consumed.
    USAGE_FLUSH_INTERVAL_MS: "100",
    OUTBOX_POLL_INTERVAL_MS: "200",
    BILLING_JOB_INTERVAL_SEC: "1",
    INVOICE_GRACE_SEC: "1",
    QUOTA_CACHE_MS: "0",
    RECONCILE_INTERVAL_SEC: "0",
  });
  const cloudDeps = buildCloudDeps(
    cloudConfig,
    connectPostgres(databaseUrl, "cloud", { max: 4 }),
    createLogger({ name: "cloud", level: "silent" }),
  );
  const cloudRows = cloudPrisma(cloudDeps.database);
  const cloudServer = await startHttpServer(createCloudApp(cloudDeps).fetch, cloudPort, "127.0.0.1");
  const stopCloudBackground = startBackground(cloudDeps);
  const web: ChildProcess = spawn(process.execPath, [join(root, "web-app/serve.mjs")], {
    env: {
      PATH: process.env.PATH,
      PORT: String(webPort),
      AUTH_URL: authUrl,
      API_URL: cloudUrl,
      TENANT: "default",
      ...options.webEnv,
    },
    stdio: "ignore",
  });
  await waitForHttpOk(`${webUrl}/health`, 30_000);
  const profile = mkdtempSync(join(tmpdir(), "atlas-chromium-"));
  const browser = await launchChromium(profile);
  const outbox = async () => ((await (await fetch(`${authUrl}/dev/outbox`)).json()) as { items: OutboxItem[] }).items;
  mkdirSync(ARTIFACTS, { recursive: true });
  return {
    t,
    authUrl,
    cloud: { url: cloudUrl, deps: cloudDeps, prisma: cloudRows },
    webUrl,
    browser,
    outbox,
    async lastMessage(channel, to) {
      for (let i = 0; i < 50; i++) {
        const found = (await outbox()).find(
          (m) => m.channel === channel && m.to === to && (channel === "email" ? m.link : m.code),
        );
        if (found) return found;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`no ${channel} to ${to} in the outbox`);
    },
    async newPage() {
      // A fresh visitor: no refresh, device or OAuth cookies from an earlier test.
      await browser.clearCookies();
      return browser.newPage();
    },
    async setAllowedMethods(methods) {
      await t.deps.prisma.tenant.update({ where: { slug: "default" }, data: { allowedMethods: methods } });
      t.app = createApp(t.deps);
    },
    async setTenantSettings(settings) {
      await t.deps.prisma.tenant.update({ where: { slug: "default" }, data: { settings: settings as object } });
      t.app = createApp(t.deps);
    },
    async screenshot(page, name) {
      await page.screenshot({ path: join(ARTIFACTS, `${name}-${VIEWPORT.name}.png`), fullPage: true });
      await expectAccessible(page, `${name} (${VIEWPORT.name})`);
    },
    async readmeScreenshot(page, name) {
      if (!isPhone) await page.screenshot({ path: join(root, "docs/screenshots", `${name}.png`) });
      await page.screenshot({ path: join(ARTIFACTS, `${name}-${VIEWPORT.name}.png`), fullPage: true });
      await expectAccessible(page, `${name} (${VIEWPORT.name})`);
    },
    async close() {
      await browser.close().catch(() => {});
      web.kill("SIGTERM");
      await cloudServer.close();
      await stopCloudBackground();
      await cloudRows.$disconnect();
      await closeDeps(cloudDeps);
      await stopBillingJobs();
      await auth.close();
      await t.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[]; failureSummary?: string }[];
}

/** Runs axe-core (WCAG 2.0/2.1 A and AA rules) in the page; fails on serious or critical violations. */
export async function expectAccessible(page: Page, name: string): Promise<void> {
  // Evaluated over CDP, so the page's Content-Security-Policy (script-src 'self') does not block it.
  await page.evaluate(axeSource);
  const violations = (await page.evaluate(
    `axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } }).then((r) => r.violations)`,
  )) as AxeViolation[];
  const serious = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  const report = serious.map(
    (v) => `${v.id} (${v.impact}): ${v.help} at ${JSON.stringify(v.nodes.map((n) => n.target))}`,
  );
  if (report.length > 0) throw new Error(`axe-core on "${name}":\n${report.join("\n")}`);
}

/** The 6-digit TOTP code of a base32 secret now (what an authenticator app would show). */
export async function totpNow(base32: string, at = Date.now()): Promise<string> {
  const { totpBytesFromBase32, totpCode } = await import("../../service-auth/src/services/mfa/totp.ts");
  return totpCode(totpBytesFromBase32(base32), at);
}

/** Signs in through the e-mail magic link, in the page, and returns the link used. */
export async function emailLogin(stack: WebStack, page: Page, email: string): Promise<string> {
  await page.goto(`${stack.webUrl}/`);
  await page.getByLabel("Email").fill(email);
  await page.getByRole("button", { name: "Email me a link" }).click();
  await page.getByText("Check your inbox").waitFor();
  const link = (await stack.lastMessage("email", email)).link ?? "";
  await page.goto(link);
  return link;
}

/** A JSON call to service-auth as a CLI would make it (no Origin: tokens come in the body). */
export async function api<T>(
  stack: WebStack,
  path: string,
  init: { method?: string; body?: unknown; token?: string; headers?: Record<string, string> } = {},
): Promise<T> {
  const res = await fetch(`${stack.authUrl}${path}`, {
    method: init.method ?? (init.body === undefined ? "GET" : "POST"),
    headers: {
      ...(init.body === undefined ? {} : { "content-type": "application/json" }),
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      ...init.headers,
    },
    body: init.body === undefined ? null : JSON.stringify(init.body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${init.method ?? "GET"} ${path}: ${res.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Signs up (or in) with an e-mail link over the API, as a script would: the access token. */
export async function apiEmailLogin(stack: WebStack, email: string): Promise<string> {
  await api(stack, "/auth/email/start", { body: { email } });
  const { token } = await stack.lastMessage("email", email);
  const tokens = await api<{ accessToken: string }>(stack, "/auth/email/verify", { body: { token } });
  return tokens.accessToken;
}

/** Turns TOTP on for the holder of `accessToken`: its secret and backup codes. */
export async function enableTotp(
  stack: WebStack,
  accessToken: string,
): Promise<{ secret: string; backupCodes: string[] }> {
  const { secret } = await api<{ secret: string }>(stack, "/auth/mfa/totp/setup", {
    token: accessToken,
    method: "POST",
  });
  // The previous step's code: the current and next steps stay free for the browser's logins.
  const code = await totpNow(secret, Date.now() - 30_000);
  const { backupCodes } = await api<{ backupCodes: string[] }>(stack, "/auth/mfa/totp/enable", {
    token: accessToken,
    body: { code },
  });
  return { secret, backupCodes };
}

/** Signs out and waits until the sign-in form is back (the refresh cookie is gone by then). */
export async function signOut(page: Page): Promise<void> {
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByRole("button", { name: "Email me a link" }).waitFor();
}

/**
 * Gives the holder of `accessToken` a passkey and puts it in a CDP virtual authenticator of
 * `page` (registered by a software authenticator over the API, then handed to Chromium with its
 * private key), as if the user had created it in this browser. Returns the authenticator's id.
 */
export async function addPasskey(stack: WebStack, page: Page, accessToken: string): Promise<string> {
  const soft = new SoftAuthenticator(stack.webUrl);
  const origin = { origin: stack.webUrl };
  const options = await api<{ challenge: string; user: { id: string } }>(stack, "/auth/passkey/register/options", {
    token: accessToken,
    body: {},
    headers: origin,
  });
  await api(stack, "/auth/passkey/register/verify", {
    token: accessToken,
    body: { response: soft.create(options) },
    headers: origin,
  });
  const { cdp, authenticatorId } = await virtualAuthenticator(stack, page);
  await cdp.send("WebAuthn.addCredential", {
    authenticatorId,
    credential: {
      credentialId: soft.credentialId.toString("base64"),
      isResidentCredential: true,
      rpId: "localhost",
      privateKey: (soft.privateKey.export({ format: "der", type: "pkcs8" }) as Buffer).toString("base64"),
      userHandle: Buffer.from(options.user.id, "base64url").toString("base64"),
      signCount: 1,
    },
  });
  return authenticatorId;
}

const authenticators = new WeakMap<Page, { cdp: CDPSession; authenticatorId: string }>();

/** The page's CDP virtual platform authenticator (resident keys, user verification), made once. */
export async function virtualAuthenticator(
  stack: WebStack,
  page: Page,
): Promise<{ cdp: CDPSession; authenticatorId: string }> {
  const known = authenticators.get(page);
  if (known) return known;
  const cdp = await stack.browser.newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
      defaultBackupEligibility: true,
      defaultBackupState: true,
    },
  });
  authenticators.set(page, { cdp, authenticatorId });
  return { cdp, authenticatorId };
}
