// The web-app in a real browser (Debian's Chromium driven by playwright-core): the login page
// served by `npm start` signs in with an e-mail link and with an SMS code, and signs out.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "@atlas/db";
import { spawnTs, waitForHttpOk } from "@atlas/service-kit/testing";
import type { BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "./web/chromium.ts";

const root = new URL("..", import.meta.url).pathname;
const dataDir = mkdtempSync(join(tmpdir(), "atlas-web-"));
let stop: (() => Promise<void>) | undefined;
let browser: BrowserContext | undefined;
let web = "";
let auth = "";

beforeAll(async () => {
  const p = {
    AUTH_PORT: String(await freePort()),
    CLOUD_PORT: String(await freePort()),
    WEB_PORT: String(await freePort()),
  };
  const proc = spawnTs("scripts/start.ts", { cwd: root, env: { ...p, ATLAS_DATA_DIR: dataDir, LOG_LEVEL: "warn" } });
  stop = async () => {
    proc.child.kill("SIGTERM");
    await proc.exited;
  };
  web = `http://localhost:${p.WEB_PORT}`;
  auth = `http://localhost:${p.AUTH_PORT}`;
  await waitForHttpOk(`${auth}/ready`, 60_000, proc);
  await waitForHttpOk(`${web}/`, 60_000, proc);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await stop?.();
  rmSync(dataDir, { recursive: true, force: true });
});

const outbox = async () =>
  ((await (await fetch(`${auth}/dev/outbox`)).json()) as { items: { channel: string; link?: string; code?: string }[] })
    .items;

describe("web-app login page in Chromium", () => {
  it("signs in with an e-mail link, shows who is signed in, and signs out", async () => {
    const page = await (browser as BrowserContext).newPage();
    await page.goto(`${web}/`);
    await page.getByText("Sign-in service is online").waitFor();
    await page.getByLabel("Email").fill("browser@example.test");
    await page.getByRole("button", { name: "Continue", exact: true }).click();
    await page.getByText("Check your inbox").waitFor();
    const link = (await outbox()).find((m) => m.channel === "email")?.link ?? "";
    expect(link.startsWith(`${web}/auth/callback?token=`)).toBe(true);
    await page.goto(link);
    await page.getByText("You're signed in").waitFor();
    expect((await page.locator("strong").textContent())?.trim()).toBe("browser@example.test");
    expect(page.url()).toBe(`${web}/account`); // the token left the address bar
    // A reload keeps the login: the refresh token lives in service-auth's HttpOnly cookie.
    expect(await page.evaluate("document.cookie")).toBe("");
    await page.reload();
    await page.getByText("You're signed in").waitFor();
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("button", { name: "Continue", exact: true }).waitFor();
    await page.reload();
    await page.getByRole("button", { name: "Continue", exact: true }).waitFor();
    // The used link does not sign in twice.
    await page.goto(link);
    await page.getByText("This sign-in link is invalid, used or expired").waitFor();
    await page.close();
  });

  it("signs in with an SMS code", async () => {
    const page = await (browser as BrowserContext).newPage();
    await page.goto(`${web}/`);
    await page.getByRole("button", { name: "Continue with phone" }).click();
    await page.getByLabel("Phone").fill("+14155550199");
    await page.getByRole("button", { name: "Text me a code" }).click();
    await page.getByLabel("Code").waitFor();
    const code = (await outbox()).find((m) => m.channel === "sms")?.code ?? "";
    await page.getByLabel("Code").fill(code === "000000" ? "000001" : "000000");
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.getByText("The code is invalid or expired").waitFor();
    await page.getByLabel("Code").fill(code);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.getByText("You're signed in").waitFor();
    expect((await page.locator("strong").textContent())?.trim()).toBe("+14155550199");
    await page.close();
  });
});
