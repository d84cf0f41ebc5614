// `atlas login` approved in the web-app's /device page in a real browser: the whole stack as
// `npm start` runs it, the bundled CLI as a child process, Debian's Chromium for the user.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "@atlas/db";
import { spawnTs, waitForHttpOk } from "@atlas/service-kit/testing";
import type { BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error build.mjs is plain JavaScript without type declarations
import { buildCli } from "../packages/cli/build.mjs";
import { launchChromium } from "./web/chromium.ts";

const root = new URL("..", import.meta.url).pathname;
const dataDir = mkdtempSync(join(tmpdir(), "atlas-web-device-"));
const home = mkdtempSync(join(tmpdir(), "atlas-cli-home-"));
let stop: (() => Promise<void>) | undefined;
let browser: BrowserContext | undefined;
let web = "";
let auth = "";
let api = "";
let bin = "";

beforeAll(async () => {
  bin = await buildCli(join(home, "atlas.mjs"));
  const p = {
    AUTH_PORT: String(await freePort()),
    CLOUD_PORT: String(await freePort()),
    WEB_PORT: String(await freePort()),
  };
  const proc = spawnTs("scripts/start.ts", {
    cwd: root,
    env: { ...p, ATLAS_DATA_DIR: dataDir, LOG_LEVEL: "warn", DEVICE_POLL_INTERVAL_SEC: "1" },
  });
  stop = async () => {
    proc.child.kill("SIGTERM");
    await proc.exited;
  };
  web = `http://localhost:${p.WEB_PORT}`;
  auth = `http://localhost:${p.AUTH_PORT}`;
  api = `http://localhost:${p.CLOUD_PORT}`;
  await waitForHttpOk(`${auth}/ready`, 60_000, proc);
  await waitForHttpOk(`${web}/`, 60_000, proc);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await stop?.();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(home, { recursive: true, force: true });
});

const outbox = async () =>
  ((await (await fetch(`${auth}/dev/outbox`)).json()) as { items: { channel: string; link?: string }[] }).items;

function atlas(args: string[]) {
  const child = spawn(process.execPath, [bin, ...args], {
    env: { PATH: process.env.PATH ?? "", HOME: home, ATLAS_AUTH_URL: auth, ATLAS_API_URL: api },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const done = new Promise<number | null>((resolve) => child.on("close", resolve));
  return { done, out: () => stdout, err: () => stderr };
}

describe("device login approved in the web-app", () => {
  it("the user signs in, opens verification_uri_complete, sees the request, approves; the CLI is logged in", async () => {
    const page = await (browser as BrowserContext).newPage();
    await page.goto(`${web}/`);
    await page.getByLabel("Email").fill("device@example.test");
    await page.getByRole("button", { name: "Continue", exact: true }).click();
    await page.getByText("Check your inbox").waitFor();
    const link = (await outbox()).find((m) => m.channel === "email")?.link ?? "";
    await page.goto(link);
    await page.getByText("You're signed in").waitFor();

    const login = atlas(["login", "--scopes", "profile:read,objects:read"]);
    let url = "";
    for (let i = 0; i < 400 && !url; i++) {
      url = /(http\S+\/device\?user_code=\S+)/.exec(login.err())?.[1] ?? "";
      if (!url) await new Promise((r) => setTimeout(r, 50));
    }
    expect(url.startsWith(`${web}/device?user_code=`)).toBe(true);
    await page.goto(url);
    await page.getByText("wants access to your account").waitFor();
    expect(await page.getByRole("listitem").allTextContents()).toEqual([
      "See your account (and manage your access tokens)",
      "Read your stored objects",
    ]);
    await page.getByRole("button", { name: "Approve" }).click();
    await page.getByText("Approved.").waitFor();
    expect(await login.done).toBe(0);

    const who = atlas(["whoami", "--json"]);
    expect(await who.done).toBe(0);
    expect(JSON.parse(who.out())).toMatchObject({ method: "pat", scopes: ["profile:read", "objects:read"] });

    // A wrong code typed by hand is refused without revealing anything.
    await page.goto(`${web}/device`);
    await page.getByLabel("Enter the code shown by the device").fill("BBBB-BBBB");
    await page.getByRole("button", { name: "Continue" }).click();
    await page.getByText("No pending request with this code").waitFor();
    await page.close();
  });
});
