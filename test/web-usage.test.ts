// Usage you can trust (issue 22, path 6), in Chromium against the real service-auth and
// service-cloud-api: a user stores a 64 KiB object, then reads the billing page's usage panel as
// a person would — bytes stored now, the hour's level (the whole object, not an average over the
// period's earlier hours), charts with a y-axis scaled to the data, a tooltip on hover, the x-axis
// running to the period's end, and "x of y included" progress bars, in binary units throughout.
import { join } from "node:path";
import type { Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ARTIFACTS,
  apiEmailLogin,
  emailLogin,
  isPhone,
  skipBrowser,
  startWebStack,
  VIEWPORT,
  type WebStack,
} from "./web/harness.ts";

const KIB64 = 64 * 1024;
const day = new Intl.DateTimeFormat("en-US", { month: "short", day: "numeric", timeZone: "UTC" });

describe.skipIf(skipBrowser)("web-app: usage you can trust", () => {
  let stack: WebStack;
  beforeAll(async () => {
    stack = await startWebStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  /** A call to the real cloud-api with the user's token, as a script would make it. */
  const cloud = (path: string, token: string, init: { method?: string; body?: Uint8Array } = {}) =>
    fetch(`${stack.cloud.url}${path}`, {
      method: init.method ?? "GET",
      headers: { authorization: `Bearer ${token}` },
      ...(init.body ? { body: init.body } : {}),
    });

  /** The chart of one metric: its plot (an image for screen readers, named by its summary). */
  const chart = (usage: Locator, title: string) =>
    usage.getByRole("figure", { name: new RegExp(`^${title} per`) }).getByRole("img");

  /** Moves the mouse over the chart at time `at` (the x-axis runs from `start` to `end`). */
  async function hover(page: Page, plot: Locator, at: number, start: number, end: number) {
    const box = await plot.locator(".u-over").boundingBox();
    if (!box) throw new Error("the chart has no plotting area");
    await page.mouse.move(box.x + (box.width * (at - start)) / (end - start), box.y + box.height / 2);
  }

  it("shows a 64 KiB object as stored now and as its hour's level, on charts scaled to it, up to the period's end", async () => {
    const email = "usage-levels@example.test";
    const token = await apiEmailLogin(stack, email);
    const object = Buffer.alloc(KIB64, 7);
    expect((await cloud("/v1/objects/report.bin", token, { method: "PUT", body: object })).status).toBe(200);
    await stack.cloud.deps.meter.flush();
    const period = (
      (await (await cloud("/v1/entitlements", token)).json()) as { currentPeriod: { start: string; end: string } }
    ).currentPeriod;
    const start = Date.parse(period.start);
    const end = Date.parse(period.end);
    const now = Date.now();

    const page = await stack.newPage();
    await emailLogin(stack, page, email);
    await page.getByRole("navigation", { name: "Account" }).getByRole("link", { name: "Billing" }).click();
    const usage = page.getByRole("region", { name: "Usage this billing period" });

    // Stored now, and the units said once.
    await usage.getByText("Stored now: 64 KiB in 1 object").waitFor();
    await usage.getByText(/Sizes in binary units: 1 KiB = 1,024 bytes/).waitFor();

    // "x of y included" bars: the free plan's 1 GiB of storage and 10,000 requests.
    const storageBar = usage.getByRole("progressbar", { name: "Storage now" });
    expect(await storageBar.getAttribute("aria-valuenow")).toBe(String(KIB64));
    expect(await storageBar.getAttribute("aria-valuemax")).toBe(String(1024 ** 3));
    expect(await storageBar.getAttribute("aria-valuetext")).toBe("64 KiB of 1 GiB included");
    await usage.getByText("64 KiB of 1 GiB included").waitFor();
    const requestsBar = usage.getByRole("progressbar", { name: "Requests" });
    expect(await requestsBar.getAttribute("aria-valuemax")).toBe("10000");
    expect(Number(await requestsBar.getAttribute("aria-valuenow"))).toBeGreaterThanOrEqual(1);
    expect(await requestsBar.getAttribute("aria-valuetext")).toMatch(/^[1-9]\d* of 10,000 included$/);

    // By the hour: the hour of the upload holds the whole object; the period's earlier hours
    // hold nothing (a level, not byte-hours averaged over hours passed or not yet reached).
    await usage.getByRole("radio", { name: "Hour" }).check();
    const storage = chart(usage, "Storage");
    await storage.and(page.getByLabel(/^Storage per hour,/)).waitFor();
    const summary = (await storage.getAttribute("aria-label")) ?? "";
    expect(summary).toMatch(
      /^Storage per hour, .* \(end of period\): highest 64 KiB \(.+ UTC\)\. Vertical axis 0 B to 80 KiB\.$/,
    );
    // The y-axis is scaled to the data (round ticks up to just above 64 KiB, not to the 1 GiB allowance).
    expect(await storage.getAttribute("data-y-ticks")).toBe("0 B|20 KiB|40 KiB|60 KiB|80 KiB");
    // The x-axis runs from the period's start to its end, whatever part of it has passed.
    const xTicks = (await storage.getAttribute("data-x-ticks"))?.split("|") ?? [];
    expect(xTicks[0]).toBe(day.format(start));
    expect(xTicks.at(-1)).toBe(day.format(end));
    expect(summary).toContain(`${day.format(start)} to ${day.format(end)} (end of period)`);

    const hourStart = Math.floor(now / 3_600_000) * 3_600_000;
    const hours = (hourStart - Math.floor(start / 3_600_000) * 3_600_000) / 3_600_000 + 1;
    // Hovering the current hour shows its value in a tooltip (the cursor snaps to the nearest
    // hour with a value: right of now, that is the current one; a phone has under a pixel an hour).
    const current = Math.min(end, now + 86_400_000);
    await hover(page, storage, current, start, end);
    const tip = storage.getByTestId("chart-tooltip");
    await tip.waitFor();
    expect(await tip.textContent()).toMatch(/^[A-Z][a-z]{2} \d{1,2}, \d\d:00–\d\d:00 UTC: 64 KiB$/);
    // …and two days before it, nothing.
    if (hours > 72) {
      await hover(page, storage, hourStart - 2 * 86_400_000, start, end);
      await expect.poll(() => tip.textContent()).toMatch(/: 0 B$/);
    }
    await hover(page, storage, current, start, end);
    await expect.poll(() => tip.textContent()).toMatch(/: 64 KiB$/);
    await usage.screenshot({ path: join(ARTIFACTS, `usage-panel-${VIEWPORT.name}.png`) });
    const storageFigure = usage.getByRole("figure", { name: /^Storage per/ });
    await storageFigure.getByText("Show as a table").click();
    const rows = storageFigure.getByRole("table").getByRole("row");
    expect(await rows.count()).toBe(hours + 1); // a row per hour reached, none for the hours to come
    const last = rows.last();
    expect(await last.getByRole("cell").last().textContent()).toBe("64 KiB");
    if (hours > 1) {
      const earlier = await rows
        .nth(hours - 1)
        .getByRole("cell")
        .last()
        .textContent();
      expect(earlier).toBe("0 B");
      const all = await storageFigure.getByRole("table").locator("tbody td:last-child").allTextContents();
      expect(all.slice(0, -1).every((v) => v === "0 B")).toBe(true);
    }

    await stack.screenshot(page, "usage-hourly");

    // By the day: today's level is the object, whole (not spread over the day's 24 hours).
    await usage.getByRole("radio", { name: "Day" }).check();
    await usage.getByLabel(/^Storage per day,/).waitFor();
    expect(await chart(usage, "Storage").getAttribute("aria-label")).toMatch(/highest 64 KiB \(/);
    await usage
      .getByRole("figure", { name: /^Storage per day/ })
      .getByText("Show as a table")
      .click();
    const dayCells = await usage
      .getByRole("figure", { name: /^Storage per day/ })
      .locator("tbody td:last-child")
      .allTextContents();
    expect(dayCells.at(-1)).toBe("64 KiB");
    expect(dayCells.slice(0, -1).every((v) => v === "0 B")).toBe(true);

    // Phone width: nothing sticks out sideways, the chart fits.
    if (isPhone) {
      await expect.poll(() => page.evaluate("document.documentElement.scrollWidth > window.innerWidth")).toBe(false);
      const box = await chart(usage, "Storage").boundingBox();
      expect(box?.width ?? 0).toBeLessThanOrEqual(390);
    }
    await stack.screenshot(page, "usage-daily");
    await page.close();
  });
});
