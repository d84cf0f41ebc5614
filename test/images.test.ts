// The Dockerfiles without a Docker engine (.ci/run has none): they parse, name files that exist,
// and their runtime stages hold what issue 21 asks: Node LTS, the bundle (built here as the
// Dockerfile builds it) and production dependencies only, a non-root user, a /ready health check.
// docker-compose.yml and the entry points' start: test/compose.test.ts.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { isBuiltin } from "node:module";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { bundleDirName, bundleLikeTheImage, pkgJson, ROOT, read, removeBundle } from "./images/bundle.ts";
import {
  copyArgs,
  execForm,
  INSTRUCTIONS,
  ignorePattern,
  parseDockerfile,
  resolveIn,
  stagesOf,
} from "./images/dockerfile.ts";

const OUT = bundleDirName();
const PACKAGE_SPECIFIER = /^(?:@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*(?:\/[\w./-]*)?$/i;
type Stage = ReturnType<typeof stagesOf>[number];
const SERVICES = [
  { dir: "service-auth", pkg: "@atlas/service-auth" },
  { dir: "service-cloud-api", pkg: "@atlas/service-cloud-api" },
];
const DOCKERFILES = ["service-auth/Dockerfile", "service-cloud-api/Dockerfile", "web-app/Dockerfile"];
const ignored = read(".dockerignore")
  .split("\n")
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith("#"))
  .map(ignorePattern);
const workspaceDirs = (parseYaml(read("pnpm-workspace.yaml")) as { packages: string[] }).packages.flatMap((glob) =>
  glob.endsWith("/*")
    ? readdirSync(join(ROOT, glob.slice(0, -2)))
        .map((d) => `${glob.slice(0, -2)}/${d}`)
        .filter((d) => existsSync(join(ROOT, d, "package.json")))
    : [glob],
);
/**
 * Where a path of a runtime image comes from in this checkout (after bundling), by the COPY
 * --from=build that puts it there (the most specific one): a file of the repository or of the
 * bundle folder, or the `pnpm deploy` output.
 */
function origin(dir: string, runtimePath: string, stage: Stage, deployTarget: string) {
  let best: { target: string; source: string } | undefined;
  for (const ins of stage.instructions) {
    if (ins.keyword !== "COPY" || ins.flags.from !== "build") continue;
    const { sources, dest } = copyArgs(ins.args);
    const source = sources[0] as string;
    // `COPY a/file.json ./` lands at ./file.json; a folder's contents land at dest itself.
    const name = source.split("/").at(-1) ?? "";
    const into = dest.endsWith("/") && name.includes(".") ? `${dest}${name}` : dest;
    const target = resolveIn(workdirAt(stage, ins.line), into);
    const under = runtimePath === target || runtimePath.startsWith(`${target}/`);
    if (under && target.length > (best?.target.length ?? -1)) best = { target, source };
  }
  if (!best) return { missing: runtimePath };
  const source = `${best.source}${runtimePath.slice(best.target.length)}`;
  if (source === deployTarget || source.startsWith(`${deployTarget}/`)) return { deploy: source };
  const rel = source.replace(/^\/app\//, "");
  return { file: join(ROOT, rel.replace(new RegExp(`^${dir}/dist(?=/|$)`), `${dir}/${OUT}`)) };
}

function workdirAt(stage: Stage, line: number): string {
  let workdir = "/";
  for (const ins of stage.instructions)
    if (ins.keyword === "WORKDIR" && ins.line < line) workdir = resolveIn(workdir, ins.args);
  return workdir;
}

beforeAll(() => {
  for (const { dir } of SERVICES) bundleLikeTheImage(dir, OUT);
});
afterAll(() => {
  for (const { dir } of SERVICES) removeBundle(dir, OUT);
});

describe.each(DOCKERFILES)("%s", (file) => {
  const dir = file.split("/")[0] as string;
  const instructions = parseDockerfile(read(file));
  const stages = stagesOf(instructions);
  const final = stages.at(-1) as (typeof stages)[number];
  const runs = (stage: (typeof stages)[number]) =>
    stage.instructions.filter((i) => i.keyword === "RUN").map((i) => i.args);
  const deploy = stages.flatMap(runs).find((r) => / deploy /.test(r));
  const deployTarget = deploy?.split(/\s+/).at(-1) ?? "(none)";

  it("parses: known instructions, stages on Node LTS (node:24, pinned) or on earlier stages, COPY --from earlier stages", () => {
    expect(instructions.filter((i) => !INSTRUCTIONS.has(i.keyword))).toEqual([]);
    const names: string[] = [];
    for (const stage of stages) {
      if (!names.includes(stage.image)) expect(stage.image).toMatch(/^node:24(\.\d+){0,2}-bookworm-slim$/);
      for (const ins of stage.instructions) if (ins.flags.from) expect(names).toContain(ins.flags.from);
      if (stage.name) names.push(stage.name);
    }
    expect(new Set(names).size).toBe(names.length);
  });

  it("copies the lockfile and every workspace manifest, then `pnpm fetch`, before the sources", () => {
    const chain = instructions.map((i) => `${i.keyword} ${i.args}`);
    const fetch = chain.indexOf("RUN pnpm fetch");
    const source = chain.indexOf("COPY . .");
    expect(fetch).toBeGreaterThan(chain.indexOf("COPY pnpm-lock.yaml pnpm-workspace.yaml package.json ./"));
    expect(source).toBeGreaterThan(fetch);
    for (const ws of workspaceDirs) expect(chain.slice(0, fetch)).toContain(`COPY ${ws}/package.json ${ws}/`);
    expect(chain.slice(source)).toContain("RUN pnpm install --offline --frozen-lockfile");
  });

  it("COPY sources from the build context exist and are not excluded by .dockerignore", () => {
    for (const ins of instructions.filter((i) => i.keyword === "COPY" && !i.flags.from)) {
      for (const src of copyArgs(ins.args).sources) {
        expect(existsSync(join(ROOT, src)), `${file}:${ins.line} ${src}`).toBe(true);
        if (src !== ".")
          expect(
            ignored.some((re) => re.test(src)),
            `${src} is .dockerignored`,
          ).toBe(false);
      }
    }
  });

  it("runtime stage: non-root USER, HEALTHCHECK on /ready, CMD `node <file>` of the build, nothing but the build's output", () => {
    const user = final.instructions.filter((i) => i.keyword === "USER").at(-1)?.args;
    expect(user).toBeDefined();
    expect(["root", "0", "0:0"]).not.toContain(user);
    const health = final.instructions.find((i) => i.keyword === "HEALTHCHECK");
    expect(health?.args.startsWith("CMD ")).toBe(true);
    const probe = execForm(health?.args.slice(4) ?? "") ?? [];
    expect(probe[0]).toBe("node");
    expect(probe.join(" ")).toMatch(/\/ready\b/);

    const cmd = execForm(final.instructions.find((i) => i.keyword === "CMD")?.args ?? "");
    expect(cmd?.[0]).toBe("node");
    const entry = resolveIn(workdirAt(final, Number.POSITIVE_INFINITY), cmd?.[1] ?? "");
    const from = origin(dir, entry, final, deployTarget);
    expect(from.file && statSync(from.file).isFile(), `${entry} comes from ${JSON.stringify(from)}`).toBe(true);

    // No tooling in the runtime: no RUN at all, and every COPY comes from the build stage.
    expect(runs(final)).toEqual([]);
    for (const ins of final.instructions.filter((i) => i.keyword === "COPY")) expect(ins.flags.from).toBe("build");
  });

  // The web-app's image serves static files with `serve.mjs`: no bundle of a service to check.
  if (dir !== "web-app")
    it("builds the bundle as the test does, and `pnpm deploy --prod` gives only the production dependencies", () => {
      const { pkg } = SERVICES.find((s) => s.dir === dir) as (typeof SERVICES)[number];
      expect(stages.flatMap(runs).join("\n")).toContain(`pnpm --filter ${pkg} build`);
      expect(deploy).toMatch(new RegExp(`--filter ${pkg} --prod deploy --offline /\\S+$`));
      const copied = final.instructions
        .filter((i) => i.keyword === "COPY")
        .map((i) => copyArgs(i.args).sources[0] as string);
      expect(copied.filter((s) => s.startsWith(deployTarget))).toEqual([
        `${deployTarget}/package.json`,
        `${deployTarget}/node_modules`,
      ]);
      for (const source of copied.filter((s) => !s.startsWith(deployTarget))) {
        const rel = source.replace(/^\/app\//, "").replace(new RegExp(`^${dir}/dist$`), `${dir}/${OUT}`);
        expect(existsSync(join(ROOT, rel)), source).toBe(true);
      }
      // Everything the bundle leaves external must be a production dependency (pnpm deploy --prod
      // installs nothing else), and no workspace package may stay external (its sources are TS).
      const deps = pkgJson(dir).dependencies;
      const outDir = join(ROOT, dir, OUT);
      for (const js of readdirSync(outDir).filter((f) => f.endsWith(".js"))) {
        const text = readFileSync(join(outDir, js), "utf8");
        const specifiers = [
          ...text.matchAll(
            /(?:\bfrom|\bimport\(|\brequire\(|\brequire\.resolve\(|createRequire\d*\(import\.meta\.url\)\()\s*"([^"]+)"/g,
          ),
        ].filter((m) => PACKAGE_SPECIFIER.test(m[1] as string));
        const packages = new Set(
          specifiers
            .map((m) => m[1] as string)
            .filter((s) => !isBuiltin(s))
            .map((s) => (s.startsWith("@") ? s.split("/").slice(0, 2).join("/") : (s.split("/")[0] as string))),
        );
        expect(packages.size).toBeGreaterThan(3);
        for (const name of packages) {
          expect(name.startsWith("@atlas/"), `${js} leaves ${name} external`).toBe(false);
          expect(deps[name], `${js} imports ${name}: not a production dependency of ${dir}`).toBeDefined();
        }
      }
    });
});
