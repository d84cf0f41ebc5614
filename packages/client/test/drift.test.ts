// The committed client must be what the services' contracts generate today: a route changed
// without regenerating fails here, naming the command that fixes it.
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { GENERATE_COMMAND, renderAll } from "../codegen/render.ts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

async function committed(path: string): Promise<string | null> {
  try {
    return await readFile(resolve(root, path), "utf8");
  } catch {
    return null;
  }
}

describe("@atlas/client", () => {
  it("matches the services' OpenAPI documents", async () => {
    const stale: string[] = [];
    for (const [path, contents] of await renderAll()) {
      if ((await committed(path)) !== contents) stale.push(path);
    }
    expect(
      stale,
      `packages/client/${stale.join(", packages/client/")} differ from the services' contracts: run \`${GENERATE_COMMAND}\` and commit the result`,
    ).toEqual([]);
  });
});
