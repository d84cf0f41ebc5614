import { describe, expect, it } from "vitest";
import { money } from "./ui.tsx";

describe("money", () => {
  it("scales minor units by the currency's own minor unit (JPY has none, KWD has three)", () => {
    const shown = (minor: number, currency: string) => money(minor, currency).replace(/\s/g, " ");
    expect(shown(1_500, "jpy")).toMatch(/1,500/);
    expect(shown(1_500, "jpy")).not.toMatch(/15\b/);
    expect(shown(1_500, "usd")).toMatch(/15\.00/);
    expect(shown(1_500, "kwd")).toMatch(/1\.500/);
  });
});
