// The web-app's list of login methods is generated from service-auth's method manifests: this
// fails when the committed copy drifts from them (run `pnpm run generate:login-methods`).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { renderWebLoginMethods, WEB_LOGIN_METHODS } from "../scripts/login-methods.ts";

describe("web-app login methods", () => {
  it("are exactly what service-auth's manifests generate", () => {
    expect(readFileSync(WEB_LOGIN_METHODS, "utf8")).toBe(renderWebLoginMethods());
  });
});
