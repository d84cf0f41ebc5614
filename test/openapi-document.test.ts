// Issue 22, path 7: both services' OpenAPI documents are a complete reference. Each is valid
// OpenAPI 3.1; every operation has a summary, a description and tags declared at the top level
// with a description; every JSON request body and response has an example, and each example is
// valid against its own schema (so the reference never shows a shape the API does not have).
// The documents are the ones a production deployment serves (built offline, as @atlas/client's
// generator builds them).
import { referenceDocument } from "@atlas/service-kit";
import { validateOpenApi31 } from "@atlas/service-kit/testing";
import { Ajv2020 } from "ajv/dist/2020.js";
import { beforeAll, describe, expect, it } from "vitest";
import { type OpenApiDocument, openApiDocuments, SERVICES } from "../packages/client/codegen/documents.ts";

interface Media {
  schema?: object;
  example?: unknown;
  examples?: Record<string, { value?: unknown }>;
}
interface Operation {
  summary?: string;
  description?: string;
  tags?: string[];
  requestBody?: { content?: Record<string, Media> };
  responses?: Record<string, { content?: Record<string, Media> }>;
}
interface Doc {
  info: { description?: string };
  tags?: { name: string; description?: string }[];
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, object> };
}

const METHODS = ["get", "put", "post", "delete", "patch", "head", "options"];

function operations(doc: Doc): { name: string; op: Operation }[] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    METHODS.filter((m) => item[m]).map((m) => ({ name: `${m.toUpperCase()} ${path}`, op: item[m] as Operation })),
  );
}

/** Every JSON media type of an operation: its request body and each response, named. */
function jsonMedia(name: string, op: Operation): { where: string; media: Media }[] {
  const all = [
    ...Object.entries(op.requestBody?.content ?? {}).map(([type, media]) => ({ where: `${name} body ${type}`, media })),
    ...Object.entries(op.responses ?? {}).flatMap(([status, r]) =>
      Object.entries(r.content ?? {}).map(([type, media]) => ({ where: `${name} ${status} ${type}`, media })),
    ),
  ];
  return all.filter(({ where }) => /[/+]json\b/.test(where) || where.endsWith("x-www-form-urlencoded"));
}

const examplesOf = (media: Media): unknown[] =>
  media.example !== undefined ? [media.example] : Object.values(media.examples ?? {}).map((e) => e.value);

describe("OpenAPI documents: a complete, true reference", () => {
  let docs: Record<(typeof SERVICES)[number], OpenApiDocument>;
  beforeAll(async () => {
    docs = await openApiDocuments();
  });

  for (const service of SERVICES) {
    describe(service, () => {
      const doc = () => docs[service] as unknown as Doc;

      it("is valid OpenAPI 3.1, and so is the document the reference renders", async () => {
        const served = await validateOpenApi31(doc());
        expect(served.valid, JSON.stringify(served.errors)).toBe(true);
        const rendered = await validateOpenApi31(referenceDocument(docs[service], "http://localhost:4000"));
        expect(rendered.valid, JSON.stringify(rendered.errors)).toBe(true);
      });

      it("describes itself in plain prose, without Markdown artefacts", () => {
        const description = doc().info.description ?? "";
        expect(description.length).toBeGreaterThan(100);
        expect(description).not.toMatch(/[`<>]|\*\*|^#|\]\(/m);
      });

      it("declares every tag it uses, each with a description", () => {
        const declared = new Map((doc().tags ?? []).map((t) => [t.name, t.description ?? ""]));
        for (const [name, description] of declared) expect(description.length, `tag ${name}`).toBeGreaterThan(20);
        const used = new Set(operations(doc()).flatMap(({ op }) => op.tags ?? []));
        expect([...used].filter((t) => !declared.has(t))).toEqual([]);
        expect([...declared.keys()].filter((t) => !used.has(t))).toEqual([]);
      });

      it("gives every operation a summary, a description and a tag", () => {
        const ops = operations(doc());
        expect(ops.length).toBeGreaterThan(10);
        const lacking = ops
          .filter(({ op }) => !op.summary?.trim() || !op.description?.trim() || (op.tags ?? []).length === 0)
          .map(({ name }) => name);
        expect(lacking).toEqual([]);
        // A description says more than its summary.
        const repeats = ops.filter(({ op }) => op.description?.trim() === op.summary?.trim()).map(({ name }) => name);
        expect(repeats).toEqual([]);
      });

      it("has no prose that the reference's Markdown would swallow as HTML (<token> outside code)", () => {
        const d = doc() as Doc & { components?: { securitySchemes?: Record<string, { description?: string }> } };
        const texts: [string, string][] = [
          ...(d.tags ?? []).map((t): [string, string] => [`tag ${t.name}`, t.description ?? ""]),
          ...Object.entries(d.components?.securitySchemes ?? {}).map(([k, s]): [string, string] => [
            k,
            s.description ?? "",
          ]),
          ...operations(d).flatMap(({ name, op }) => [
            [name, op.description ?? ""] as [string, string],
            ...Object.entries(op.responses ?? {}).map(([status, r]): [string, string] => [
              `${name} ${status}`,
              (r as { description?: string }).description ?? "",
            ]),
          ]),
        ];
        const tagLike = texts.filter(([, text]) => /<[A-Za-z!/]/.test(text.replace(/`[^`]*`/g, "")));
        expect(tagLike.map(([where]) => where)).toEqual([]);
      });

      it("has an example on every JSON request body and response, valid against its schema", () => {
        const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
        ajv.addSchema({ $id: "doc", components: doc().components ?? {} });
        const missing: string[] = [];
        const invalid: string[] = [];
        for (const { name, op } of operations(doc())) {
          for (const { where, media } of jsonMedia(name, op)) {
            const examples = examplesOf(media);
            if (examples.length === 0) missing.push(where);
            // References to #/components/... resolve in the document registered as "doc".
            const schema = JSON.parse(
              JSON.stringify(media.schema ?? {}).replaceAll('"#/components/', '"doc#/components/'),
            );
            const validate = ajv.compile(schema);
            for (const example of examples) {
              if (!validate(example)) invalid.push(`${where}: ${ajv.errorsText(validate.errors)}`);
            }
          }
        }
        expect(missing).toEqual([]);
        expect(invalid).toEqual([]);
      });
    });
  }
});
