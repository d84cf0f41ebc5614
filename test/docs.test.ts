// Keeps the newcomer-facing documents true: every environment variable a service reads is in
// .env.example, and the README's two commands are the ones package.json and CI run.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { authEnvSchema } from "../service-auth/src/config.ts";
import { cloudEnvSchema } from "../service-cloud-api/src/config.ts";

const root = new URL("..", import.meta.url).pathname;
const read = (f: string) => readFileSync(root + f, "utf8");

describe("documentation stays true", () => {
  it(".env.example lists every variable of both services", () => {
    const listed = new Set([...read(".env.example").matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]));
    for (const name of [...Object.keys(authEnvSchema.shape), ...Object.keys(cloudEnvSchema.shape)]) {
      expect(listed, `${name} missing from .env.example`).toContain(name);
    }
  });

  it("README gives `npm start` and `npm test`, and CI runs `npm test`", () => {
    const readme = read("README.md");
    expect(readme).toContain("npm start");
    expect(readme).toContain("npm test");
    const pkg = JSON.parse(read("package.json")) as { scripts: Record<string, string> };
    expect(pkg.scripts.start).toBe("node scripts/bootstrap.mjs start");
    expect(pkg.scripts.test).toBe("node scripts/bootstrap.mjs test");
    expect(read(".ci/run")).toMatch(/^npm test$/m);
  });
});
