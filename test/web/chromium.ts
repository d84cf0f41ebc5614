// Debian's Chromium driven by playwright-core, started the way this machine allows (environment.md):
// headless, no sandbox (root), and no background networking (the closed network refuses it).
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/**
 * The window the web suite runs in. The whole suite runs twice (vitest.config.ts): at a laptop's
 * 1280×860 and, with WEB_VIEWPORT=phone, at a phone's 390×844 (issue 22: every path, both sizes).
 */
export const VIEWPORT =
  process.env.WEB_VIEWPORT === "phone"
    ? { name: "phone" as const, width: 390, height: 844 }
    : { name: "desktop" as const, width: 1280, height: 860 };
export const isPhone = VIEWPORT.name === "phone";

/** A headless Chromium with a fresh profile; fails with the install hint when it is missing. */
export async function launchChromium(
  profile = mkdtempSync(join(tmpdir(), "atlas-chromium-")),
): Promise<BrowserContext> {
  if (!existsSync(CHROMIUM)) throw new Error("Chromium is missing: apt-get install chromium (.ci/run does)");
  return chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: VIEWPORT.width, height: VIEWPORT.height },
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}
