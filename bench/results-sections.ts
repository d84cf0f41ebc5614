// bench/RESULTS.md is written by three commands: `pnpm bench` (the whole file), `pnpm
// bench:journeys` and `pnpm bench:scaling` (one section each). A section lives between
// `<!-- section:NAME -->` and `<!-- /section:NAME -->`; each command replaces only its own, and
// `pnpm bench` carries the sections over when it rewrites the rest.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const RESULTS_PATH = fileURLToPath(new URL("./RESULTS.md", import.meta.url));

const begin = (name: string) => `<!-- section:${name} -->`;
const end = (name: string) => `<!-- /section:${name} -->`;
const SECTION = /<!-- section:([a-z-]+) -->[\s\S]*?<!-- \/section:\1 -->/g;

/** Replaces (or appends) section `name` of `doc` with `markdown`. */
export function withSection(doc: string, name: string, markdown: string): string {
  const block = `${begin(name)}\n${markdown.trim()}\n${end(name)}`;
  const start = doc.indexOf(begin(name));
  const stop = doc.indexOf(end(name));
  if (start >= 0 && stop > start) return doc.slice(0, start) + block + doc.slice(stop + end(name).length);
  return `${doc.trimEnd()}\n\n${block}\n`;
}

/** The sections of `previous` that `next` lacks, appended to `next` (for `pnpm bench`'s rewrite). */
export function keepSections(next: string, previous: string): string {
  let doc = next;
  for (const m of previous.matchAll(SECTION)) {
    const name = m[1] as string;
    if (!doc.includes(begin(name))) doc = `${doc.trimEnd()}\n\n${m[0]}\n`;
  }
  return doc;
}

/** Writes section `name` into bench/RESULTS.md, leaving the rest of the file as it is. */
export function writeResultsSection(name: string, markdown: string, path = RESULTS_PATH): void {
  const doc = existsSync(path) ? readFileSync(path, "utf8") : "# Benchmark results\n";
  writeFileSync(path, withSection(doc, name, markdown));
}

/** What `pnpm bench` writes: its report plus the sections the other commands wrote. */
export function writeResultsKeepingSections(report: string, path = RESULTS_PATH): void {
  const previous = existsSync(path) ? readFileSync(path, "utf8") : "";
  writeFileSync(path, keepSections(report, previous));
}
