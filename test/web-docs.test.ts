// Issue 22, path 7: the API reference of both services, read in Chromium with the network cut.
// A developer opens /docs, finds the groups in the navigation, searches for an operation, reads
// its resolved request schema and copies its curl command; the Authentication section explains
// bearer tokens, PATs, HTTP Basic, X-Tenant and Idempotency-Key. No request may leave localhost,
// and the page's Content-Security-Policy stays strict (scripts from the service itself only).
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ARTIFACTS,
  expectAccessible,
  isPhone,
  skipBrowser,
  startWebStack,
  VIEWPORT,
  type WebStack,
} from "./web/harness.ts";

const root = new URL("..", import.meta.url).pathname;

const LOCAL = new Set(["localhost", "127.0.0.1"]);

/** Cuts the network for `page`: every request to another host is aborted and recorded. */
async function cutNetwork(page: Page): Promise<{ outside: string[]; cspViolations: string[] }> {
  const outside: string[] = [];
  const cspViolations: string[] = [];
  await page.route("**/*", (route) => {
    const url = new URL(route.request().url());
    if ((url.protocol === "http:" || url.protocol === "https:") && !LOCAL.has(url.hostname)) {
      outside.push(url.href);
      return route.abort("internetdisconnected");
    }
    return route.continue();
  });
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
  });
  return { outside, cspViolations };
}

/** On a phone Redoc folds its navigation behind a floating button; open it. */
async function openNavigation(page: Page): Promise<void> {
  if (!isPhone) return;
  await page.locator(".menu-content").waitFor({ state: "attached" });
  if (!(await page.getByPlaceholder("Search...").isVisible())) await page.getByRole("button", { name: "Menu" }).click();
}

/**
 * The harness's screenshots capture the full page; the reference is one long page (some 140,000
 * pixels at desktop size, every operation of service-auth) that Chromium cannot capture within
 * the timeout. So this takes the window, writes the README's copy at desktop size
 * (docs/screenshots/<name>.png, as stack.readmeScreenshot does) and runs the same axe check on
 * the whole document.
 */
async function viewportScreenshot(page: Page, name: string, options: { readme?: boolean } = {}): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}-${VIEWPORT.name}.png`) });
  if (options.readme && !isPhone) await page.screenshot({ path: join(root, "docs/screenshots", `${name}.png`) });
  await expectAccessible(page, `${name} (${VIEWPORT.name})`);
}

const navigation = (page: Page) => page.locator(".menu-content");
const searchResults = (page: Page) => page.locator("[data-role='search:results']");

describe.skipIf(skipBrowser)("API reference at /docs, offline", () => {
  let stack: WebStack;
  beforeAll(async () => {
    stack = await startWebStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  it("service-auth: tag groups, search, resolved schema, curl and the authentication section", async () => {
    const page = await stack.newPage();
    const network = await cutNetwork(page);
    const response = await page.goto(`${stack.authUrl}/docs`);
    const csp = response?.headers()["content-security-policy"] ?? "";
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/unsafe|https?:|\*/);

    await openNavigation(page);
    const nav = navigation(page);
    for (const group of ["personal access tokens", "login: passkey", "billing", "mfa"]) {
      await expect.poll(() => nav.getByText(group, { exact: true }).first().isVisible()).toBe(true);
    }
    await nav.getByText("Authentication", { exact: true }).click();
    const auth = page.locator("#section\\/Authentication");
    await auth.getByText("X-Tenant").first().waitFor();
    const authText = await auth.textContent();
    for (const words of ["bearer", "basic", "atlas_pat_", "Idempotency-Key", "introspect"]) {
      expect(authText).toContain(words);
    }

    await openNavigation(page);
    const search = page.getByPlaceholder("Search...");
    await search.fill("Create a personal access token");
    await searchResults(page).getByRole("menuitem", { name: "Create a personal access token" }).click();
    const operation = page.locator('[id="tag/personal-access-tokens/paths/~1auth~1pats/post"]');
    await operation.waitFor();
    const opText = await operation.textContent();
    // The request schema, resolved: its properties with their types and limits.
    expect(opText).toContain("Create a personal access token");
    for (const property of ["name", "scopes", "expiresInDays"]) expect(opText).toContain(property);
    expect(opText).toMatch(/\[\s*1 \.\. 365\s*\]/);
    // The request samples: the JSON payload first, then the curl command.
    await operation.getByRole("tab", { name: "curl" }).click();
    const curl = operation.locator("pre").filter({ hasText: "curl -X POST" }).first();
    await expect.poll(() => curl.textContent()).toContain(`${stack.authUrl}/auth/pats`);
    const curlText = await curl.textContent();
    expect(curlText).toContain("Authorization: Bearer $ATLAS_TOKEN");
    expect(curlText).toContain("X-Tenant: default");
    expect(curlText).toMatch(/"scopes": \[/);
    await expect.poll(() => operation.getByRole("button", { name: "Copy" }).first().isVisible()).toBe(true);

    // Done searching: emptying the box takes the search highlights off the page.
    await openNavigation(page);
    await search.fill("");
    if (isPhone) await page.getByRole("button", { name: "Menu" }).click();
    await expect.poll(() => page.locator("mark").count(), { timeout: 10_000 }).toBe(0);
    await viewportScreenshot(page, "api-reference", { readme: true });
    expect(network.outside).toEqual([]);
    expect(network.cspViolations).toEqual([]);
  });

  it("service-cloud-api: the same reference for the product API", async () => {
    const page = await stack.newPage();
    const network = await cutNetwork(page);
    await page.goto(`${stack.cloud.url}/docs`);
    await openNavigation(page);
    const nav = navigation(page);
    for (const group of ["objects", "usage", "billing", "account"]) {
      await expect.poll(() => nav.getByText(group, { exact: true }).first().isVisible()).toBe(true);
    }
    await page.getByPlaceholder("Search...").fill("usage series");
    await searchResults(page)
      .getByRole("menuitem", { name: /usage series/ })
      .click();
    const operation = page.locator('[id="tag/usage/paths/~1v1~1usage/get"]');
    await operation.waitFor();
    const text = await operation.textContent();
    expect(text).toContain("granularity");
    const curl = operation.locator("pre").filter({ hasText: "curl" }).first();
    await expect.poll(() => curl.textContent()).toContain(`${stack.cloud.url}/v1/usage`);
    expect(await curl.textContent()).toContain("Authorization: Bearer $ATLAS_TOKEN");
    await viewportScreenshot(page, "api-reference-cloud");
    expect(network.outside).toEqual([]);
    expect(network.cspViolations).toEqual([]);
  });
});
