import { afterAll, beforeAll, describe, it } from "vitest";
import { emailLogin, skipBrowser, startWebStack, type WebStack } from "./web/harness.ts";

describe.skipIf(skipBrowser)("scratch", () => {
  let stack: WebStack;
  beforeAll(async () => { stack = await startWebStack(); });
  afterAll(async () => { await stack?.close(); });
  it("risk of a first login", async () => {
    const page = await stack.newPage();
    await emailLogin(stack, page, "fresh@example.test");
    await page.getByText("You're signed in").waitFor();
    await page.getByRole("navigation", { name: "Account" }).getByRole("link", { name: "Activity" }).click();
    await page.getByText("Signed in").first().waitFor();
    const rows = await stack.t.deps.prisma.authAuditLog.findMany({ orderBy: { createdAt: "asc" } });
    console.log(JSON.stringify(rows.map((r) => [r.eventType, r.riskScore, r.deviceHash, r.userAgent?.slice(0, 40), r.details]), null, 1));
    console.log(await page.locator("main").innerText());
  });
});
