// Builds a service's bundle the way its Dockerfile does (the package's `build` script, i.e.
// scripts/bundle.mjs), into a folder of its own one level below the service, like dist/.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));

export const read = (path: string) => readFileSync(join(ROOT, path), "utf8");

export const pkgJson = (dir: string) =>
  JSON.parse(read(`${dir}/package.json`)) as {
    scripts: Record<string, string | undefined>;
    dependencies: Record<string, string | undefined>;
  };

/** A bundle folder name unique to this run (a test file's bundles never collide with another's). */
export const bundleDirName = () => `.entrypoints-${randomBytes(4).toString("hex")}`;

/** Runs `dir`'s build script with `--outdir=<out>`; returns the folder's absolute path. */
export function bundleLikeTheImage(dir: string, out: string): string {
  const [node, script, ...args] = pkgJson(dir).scripts.build?.split(/\s+/) ?? [];
  if (node !== "node" || !script) throw new Error(`${dir}'s build script is not \`node <script> ...\``);
  const r = spawnSync(process.execPath, [script, ...args, `--outdir=${out}`], {
    cwd: join(ROOT, dir),
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`${dir} build failed:\n${r.stderr}`);
  return join(ROOT, dir, out);
}

export function removeBundle(dir: string, out: string): void {
  rmSync(join(ROOT, dir, out), { recursive: true, force: true });
}
