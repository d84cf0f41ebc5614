// `pnpm --filter @atlas/client generate`: rewrites generated/ from both services' OpenAPI
// documents (built offline in process, see documents.ts).
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { renderAll } from "./render.ts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

for (const [path, contents] of await renderAll()) {
  const file = resolve(root, path);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, contents);
  console.log(`wrote ${path}`);
}
