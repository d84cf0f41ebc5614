import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { PLAN_CATALOGUE, seedDefaults } from "../src/seed.ts";
import { createTestApp, type TestApp } from "./harness.ts";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
beforeEach(() => t.reset());
afterAll(() => t.close());

describe("seed", () => {
  it("creates the default tenant and the plan catalogue", async () => {
    const tenant = await t.deps.prisma.tenant.findUniqueOrThrow({ where: { slug: "default" } });
    expect(tenant.allowedOrigins).toEqual(["http://localhost:3000", "http://127.0.0.1:3000"]);
    const plans = await t.deps.prisma.plan.findMany({ orderBy: { sortOrder: "asc" } });
    expect(plans.map((p) => p.id)).toEqual(PLAN_CATALOGUE.map((p) => p.id));
    for (const p of plans) expect(Number.isInteger(p.monthlyPriceMinor)).toBe(true);
  });

  it("is idempotent and never overwrites what operators changed", async () => {
    await t.deps.prisma.tenant.update({ where: { slug: "default" }, data: { name: "Renamed" } });
    await t.deps.prisma.plan.update({ where: { id: "pro" }, data: { monthlyPriceMinor: 2500 } });
    await seedDefaults(t.deps.prisma, t.config);
    await seedDefaults(t.deps.prisma, t.config);
    expect(await t.deps.prisma.tenant.count()).toBe(1);
    expect((await t.deps.prisma.tenant.findUniqueOrThrow({ where: { slug: "default" } })).name).toBe("Renamed");
    expect((await t.deps.prisma.plan.findUniqueOrThrow({ where: { id: "pro" } })).monthlyPriceMinor).toBe(2500);
    expect(await t.deps.prisma.plan.count()).toBe(PLAN_CATALOGUE.length);
  });
});
