// Keeps the security documents true: every test that docs/asvs.md and docs/threat-model.md name
// exists under that exact title in that file, every ASVS 4.0.3 Level 2 requirement of the chapters
// covered has exactly one row, and every row names a test or gives a written justification.
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const root = new URL("..", import.meta.url).pathname;
const read = (f: string) => readFileSync(root + f, "utf8");

/** A test named in a document: `path/to/file.test.ts` › “exact it() title”. */
interface TestRef {
  file: string;
  title: string;
}

const REF = /`([^`\s]+\.test\.ts)`\s*›\s*“([^”]+)”/g;

function refsIn(text: string): TestRef[] {
  return [...text.matchAll(REF)].map((m) => ({ file: m[1] as string, title: m[2] as string }));
}

/** A string literal's value (the escapes a test title can contain). */
function unquote(quote: string, body: string): string {
  if (quote === '"') return JSON.parse(`"${body}"`) as string;
  return body.replace(/\\(.)/g, "$1");
}

/**
 * The titles of the `it(...)` / `test(...)` calls of a test file (also `.each`, `.skipIf(...)`,
 * `.only`...), whose first argument is a string literal followed by the test function.
 * `describe` titles are not test titles and are left out.
 */
function testTitles(source: string): Set<string> {
  const titles = new Set<string>();
  const literal = /\(\s*(["'`])((?:\\.|(?!\1)[^\\])*?)\1\s*,\s*(?:async\s*)?(?:\([^)]*\)|[A-Za-z_$][\w$]*)\s*=>/g;
  for (const m of source.matchAll(literal)) {
    const before = source.slice(0, m.index).trimEnd();
    // it("title", ...) or it.only("title", ...)
    const direct = /\b(?:it|test)(?:\.(?:only|skip|concurrent|fails))?$/.test(before);
    // it.each([...])("title", ...) or it.skipIf(cond)("title", ...): the nearest call opened before
    // the literal must be an it/test modifier, not describe.each or some other call.
    const opened = [...before.matchAll(/\b(it|test|describe)(?:\.(\w+))?\(/g)].pop();
    const wrapped = before.endsWith(")") && opened !== undefined && opened[1] !== "describe" && opened[2] !== undefined;
    if (direct || wrapped) titles.add(unquote(m[1] as string, m[2] as string));
  }
  return titles;
}

const titleCache = new Map<string, Set<string>>();
function titlesOf(file: string): Set<string> {
  let titles = titleCache.get(file);
  if (!titles) {
    titles = testTitles(read(file));
    titleCache.set(file, titles);
  }
  return titles;
}

function expectRefsExist(doc: string): TestRef[] {
  const text = read(doc);
  const refs = refsIn(text);
  // Every "› “" belongs to a reference with a file path: no title is left unchecked.
  expect(text.split("› “").length - 1, `${doc}: a title without its file path`).toBe(refs.length);
  for (const { file, title } of refs) {
    expect(existsSync(root + file), `${doc} names ${file}, which does not exist`).toBe(true);
    expect([...titlesOf(file)], `${doc}: no test “${title}” in ${file}`).toContain(title);
  }
  return refs;
}

/** ASVS 4.0.3 Level 2 requirements of V2, V3, V4, V6, V7, V8 and V13 (deleted and L3-only ones left out). */
const L2_REQUIREMENTS = [
  "2.1.1-12 2.2.1-3 2.3.1-3 2.4.1-6 2.5.1-7 2.6.1-3 2.7.1-6 2.8.1-7 2.9.1-3 2.10.1-4",
  "3.1.1 3.2.1-4 3.3.1-4 3.4.1-5 3.5.1-3 3.7.1",
  "4.1.1-3 4.1.5 4.2.1-2 4.3.1-3",
  "6.1.1-3 6.2.1-6 6.3.1-2 6.4.1-2",
  "7.1.1-4 7.2.1-2 7.3.1 7.3.3-4 7.4.1-3",
  "8.1.1-4 8.2.1-3 8.3.1-8",
  "13.1.1 13.1.3-5 13.2.1-3 13.2.5-6 13.3.1-2 13.4.1-2",
]
  .join(" ")
  .split(" ")
  .flatMap((spec) => {
    const [, section, first, last] = /^(\d+\.\d+)\.(\d+)(?:-(\d+))?$/.exec(spec) ?? [];
    const from = Number(first);
    const to = Number(last ?? first);
    return Array.from({ length: to - from + 1 }, (_, i) => `${section}.${from + i}`);
  });

const STATUSES = ["Test", "Met", "Partial", "Not met", "N/A"];

interface AsvsRow {
  id: string;
  status: string;
  evidence: string;
}

function asvsRows(): AsvsRow[] {
  return read("docs/asvs.md")
    .split("\n")
    .filter((line) => /^\|\s*\d+\.\d+\.\d+\s*\|/.test(line))
    .map((line) => {
      const cells = line
        .trim()
        .replace(/^\||\|$/g, "")
        .split("|")
        .map((c) => c.trim());
      expect(cells, `row "${line.slice(0, 40)}…" must have 4 cells (no "|" inside a cell)`).toHaveLength(4);
      const [id, , status, evidence] = cells as [string, string, string, string];
      return { id, status, evidence };
    });
}

describe("security documentation stays true", () => {
  it("every test docs/asvs.md names exists under that exact title", () => {
    expect(expectRefsExist("docs/asvs.md").length).toBeGreaterThan(50);
  });

  it("every test docs/fault-suite.md names exists under that exact title", () => {
    expect(expectRefsExist("docs/fault-suite.md").length).toBeGreaterThan(15);
  });

  it("every test docs/threat-model.md names exists under that exact title", () => {
    expect(expectRefsExist("docs/threat-model.md").length).toBeGreaterThan(50);
  });

  it("docs/asvs.md has one row per ASVS Level 2 requirement of its chapters, each with a test or a justification", () => {
    const rows = asvsRows();
    const ids = rows.map((r) => r.id);
    expect(new Set(ids).size, "duplicate ASVS rows").toBe(ids.length);
    expect([...ids].sort()).toEqual([...L2_REQUIREMENTS].sort());
    for (const row of rows) {
      expect(STATUSES, `${row.id}: unknown status`).toContain(row.status);
      const tests = refsIn(row.evidence);
      const prose = row.evidence
        .replace(REF, "")
        .replace(/[\s,;:.()]+/g, " ")
        .trim();
      if (row.status === "Test") expect(tests.length, `${row.id}: status Test names no test`).toBeGreaterThan(0);
      else expect(prose.length, `${row.id}: ${row.status} needs a written justification`).toBeGreaterThanOrEqual(20);
    }
  });

  it("the threat model names tests for every flow, and README links the security documents", () => {
    const sections = read("docs/threat-model.md").split(/^## /m).slice(1);
    const flows = sections.filter((s) => /^\d+\./.test(s));
    expect(flows.length).toBeGreaterThanOrEqual(15);
    for (const flow of flows) {
      expect(refsIn(flow).length, `flow "${flow.split("\n")[0]}" names no test`).toBeGreaterThan(0);
    }
    const readme = read("README.md");
    for (const doc of ["SECURITY.md", "docs/threat-model.md", "docs/asvs.md"]) {
      expect(readme).toContain(`](${doc})`);
      expect(existsSync(root + doc)).toBe(true);
    }
  });
});
