// Request generation for the OpenAPI fuzzer (test/fuzz/openapi-fuzz.ts): fast-check arbitraries
// for a document's operations — schema-valid, mutated and hostile path values, queries, bodies,
// credentials, cookies, origins and Idempotency-Keys — and the fetch Request of a generated case.
import fc from "fast-check";

// biome-ignore lint/suspicious/noExplicitAny: OpenAPI documents are walked generically
type Schema = any;
// biome-ignore lint/suspicious/noExplicitAny: OpenAPI documents are walked generically
export type OpenApiDoc = any;

export interface Operation {
  method: string;
  path: string;
  // biome-ignore lint/suspicious/noExplicitAny: an OpenAPI operation object
  op: any;
}

const METHODS = ["get", "post", "put", "patch", "delete"];

export function operationsOf(doc: OpenApiDoc): Operation[] {
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries<Record<string, unknown>>(doc.paths ?? {})) {
    for (const method of METHODS) if (item[method]) ops.push({ method, path, op: item[method] });
  }
  return ops;
}

/** Values that have broken parsers, queries and templates elsewhere. */
const HOSTILE_STRINGS = [
  "",
  " ",
  "' OR '1'='1' --",
  '"; DROP TABLE auth.auth_users; --',
  "../../../../etc/passwd",
  "..%2f..%2fetc%2fpasswd",
  "%00",
  "\u0000",
  "\ud800",
  "<script>alert(1)</script>",
  "{{7*7}}",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a Log4Shell-style lookup string, sent as data
  "${jndi:ldap://127.0.0.1/a}",
  "__proto__",
  "constructor",
  "a".repeat(5000),
  "😀".repeat(300),
  "-1",
  "1e308",
  "NaN",
  "null",
  "true",
  "[]",
  "{}",
  "0x10",
  "9".repeat(40),
  "javascript:alert(1)",
  "http://169.254.169.254/latest/meta-data/",
  "https://evil.example/",
  "//evil.example",
];

export const hostileString = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  { weight: 2, arbitrary: fc.string({ maxLength: 64, unit: "binary" }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 16 }) },
);

const junkValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  fc.integer(),
  fc.constantFrom(-1, 0, 2 ** 53, -(2 ** 63), 1e308, 0.5),
  fc.boolean(),
  fc.constant(null),
  fc.jsonValue({ maxDepth: 2 }),
  fc.constant({ __proto__: { admin: true } }),
);

function resolve(schema: Schema, doc: OpenApiDoc): Schema {
  let s = schema;
  for (let i = 0; s && typeof s === "object" && "$ref" in s && i < 10; i++) {
    const ref = String(s.$ref);
    const name = ref.replace(/^#\/components\/schemas\//, "");
    s = doc.components?.schemas?.[name] ?? {};
  }
  return s ?? {};
}

function safeRegex(pattern: string): RegExp | undefined {
  try {
    return new RegExp(pattern, "u");
  } catch {
    return undefined;
  }
}

function stringArb(s: Schema): fc.Arbitrary<string> {
  const min = s.minLength ?? 0;
  const max = Math.max(min, Math.min(s.maxLength ?? 40, 200));
  switch (s.format) {
    case "email":
      return fc.emailAddress();
    case "uuid":
      return fc.uuid();
    case "date-time":
      return fc
        .date({ min: new Date("2000-01-01T00:00:00Z"), max: new Date("2100-01-01T00:00:00Z"), noInvalidDate: true })
        .map((d) => d.toISOString());
    case "uri":
    case "url":
      return fc.webUrl();
  }
  if (typeof s.pattern === "string") {
    const re = safeRegex(s.pattern);
    if (re) return fc.stringMatching(re).filter((v) => v.length <= Math.max(max, 200));
  }
  return fc.string({ minLength: min, maxLength: max });
}

/** An arbitrary producing values that satisfy `schema` (approximately: enough to get past the edge). */
export function schemaArb(schema: Schema, doc: OpenApiDoc, depth = 0): fc.Arbitrary<unknown> {
  const s = resolve(schema, doc);
  if (depth > 4) return fc.constant(null);
  if ("const" in s) return fc.constant(s.const);
  if (Array.isArray(s.enum)) return fc.constantFrom(...s.enum);
  const alternatives = s.anyOf ?? s.oneOf;
  if (Array.isArray(alternatives) && alternatives.length > 0) {
    return fc.oneof(...alternatives.map((a: Schema) => schemaArb(a, doc, depth + 1)));
  }
  if (Array.isArray(s.allOf) && s.allOf.length > 0) {
    const merged = { type: "object", properties: {}, required: [] as string[] };
    for (const part of s.allOf.map((p: Schema) => resolve(p, doc))) {
      Object.assign(merged.properties, part.properties ?? {});
      merged.required.push(...(part.required ?? []));
    }
    return schemaArb(merged, doc, depth + 1);
  }
  const types: string[] = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
  if (s.nullable) types.push("null");
  if (types.length === 0) return s.properties ? objectArb(s, doc, depth) : fc.jsonValue({ maxDepth: 2 });
  return fc.oneof(
    ...types.map((type): fc.Arbitrary<unknown> => {
      switch (type) {
        case "null":
          return fc.constant(null);
        case "string":
          return stringArb(s);
        case "integer":
          return fc.integer({
            min: Math.max(s.minimum ?? -1_000_000, Number.MIN_SAFE_INTEGER),
            max: Math.min(s.maximum ?? 1_000_000, Number.MAX_SAFE_INTEGER),
          });
        case "number":
          return fc.double({ min: s.minimum ?? -1e6, max: s.maximum ?? 1e6, noNaN: true });
        case "boolean":
          return fc.boolean();
        case "array":
          return fc.array(schemaArb(s.items ?? {}, doc, depth + 1), {
            minLength: s.minItems ?? 0,
            maxLength: Math.max(s.minItems ?? 0, Math.min(s.maxItems ?? 4, 8)),
          });
        default:
          return objectArb(s, doc, depth);
      }
    }),
  );
}

function objectArb(s: Schema, doc: OpenApiDoc, depth: number): fc.Arbitrary<unknown> {
  const props: Record<string, Schema> = s.properties ?? {};
  const required: string[] = s.required ?? [];
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [k, v] of Object.entries(props)) model[k] = schemaArb(v, doc, depth + 1);
  if (Object.keys(model).length === 0) return fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 1 }));
  return fc.record(model, { requiredKeys: required.filter((k) => k in model) });
}

/** One value broken in one place: a key dropped, a value of the wrong type, an unknown key. */
function mutated(base: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc
    .tuple(base, fc.nat(), junkValue, fc.constantFrom("drop", "replace", "extra", "whole"))
    .map(([value, n, junk, how]) => {
      if (how === "whole" || !value || typeof value !== "object" || Array.isArray(value)) return junk;
      const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
      const keys = Object.keys(copy);
      const key = keys[n % Math.max(keys.length, 1)] ?? "x";
      if (how === "drop") delete copy[key];
      else if (how === "replace") copy[key] = junk;
      else copy[`extra_${n % 7}`] = junk;
      return copy;
    });
}

export type AuthMode = "none" | "garbage" | "user" | "admin" | "other";

export interface GeneratedRequest {
  method: string;
  /** Path template (for reports) */
  template: string;
  pathParams: Record<string, { pool: number } | { value: unknown }>;
  query: Record<string, unknown>;
  body:
    | { kind: "none" }
    | { kind: "json"; value: unknown }
    | { kind: "text"; value: string; type: string }
    | {
        kind: "bytes";
        value: Uint8Array;
      };
  auth: AuthMode;
  garbageToken: string;
  withCookie: boolean;
  origin: string | undefined;
  idempotencyKey: string | undefined;
}

// biome-ignore lint/suspicious/noExplicitAny: an OpenAPI parameter object
type Param = any;

function paramsIn(op: Operation, where: string, doc: OpenApiDoc): Param[] {
  return (op.op.parameters ?? []).map((p: Param) => resolve(p, doc)).filter((p: Param) => p.in === where);
}

/** A request for `op`: mostly well-formed enough to pass the edge, often broken on purpose. */
export function requestArb(op: Operation, doc: OpenApiDoc): fc.Arbitrary<GeneratedRequest> {
  const pathNames = [...op.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
  const pathSchemas = Object.fromEntries(paramsIn(op, "path", doc).map((p: Param) => [p.name, p.schema ?? {}]));
  const pathParams = fc.record(
    Object.fromEntries(
      pathNames.map((name) => [
        name,
        fc.oneof(
          { weight: 3, arbitrary: fc.nat().map((pool) => ({ pool })) },
          {
            weight: 2,
            arbitrary: schemaArb(pathSchemas[name as string] ?? { type: "string" }, doc).map((value) => ({ value })),
          },
          { weight: 2, arbitrary: hostileString.map((value) => ({ value })) },
        ),
      ]),
    ) as Record<string, fc.Arbitrary<{ pool: number } | { value: unknown }>>,
  );
  const queryModel: Record<string, fc.Arbitrary<unknown>> = {};
  for (const p of paramsIn(op, "query", doc)) {
    queryModel[p.name] = fc.oneof(
      { weight: 4, arbitrary: schemaArb(p.schema ?? {}, doc) },
      { weight: 1, arbitrary: junkValue },
    );
  }
  const query = fc
    .tuple(
      fc.record(queryModel, { requiredKeys: [] }),
      fc.option(fc.dictionary(fc.constantFrom("limit", "cursor", "from", "to", "x", "__proto__"), hostileString), {
        freq: 4,
      }),
    )
    .map(([known, extra]) => ({ ...(extra ?? {}), ...known }));

  const content = op.op.requestBody?.content ?? {};
  const jsonSchema = content["application/json"]?.schema;
  const bodyArbs: fc.Arbitrary<GeneratedRequest["body"]>[] = [];
  if (jsonSchema) {
    const valid = schemaArb(jsonSchema, doc);
    bodyArbs.push(
      valid.map((value) => ({ kind: "json" as const, value })),
      valid.map((value) => ({ kind: "json" as const, value })),
      mutated(valid).map((value) => ({ kind: "json" as const, value })),
      junkValue.map((value) => ({ kind: "json" as const, value })),
      fc.constantFrom("{", '{"a":', "\u0000", "[1,2", "not json").map((value) => ({
        kind: "text" as const,
        value,
        type: "application/json",
      })),
      fc.string({ maxLength: 64 }).map((value) => ({ kind: "text" as const, value, type: "text/plain" })),
    );
  }
  if (content["application/octet-stream"] || content["*/*"]) {
    bodyArbs.push(fc.uint8Array({ maxLength: 4096 }).map((value) => ({ kind: "bytes" as const, value })));
  }
  if (bodyArbs.length === 0) {
    bodyArbs.push(fc.constant({ kind: "none" as const }));
    if (op.method !== "get") bodyArbs.push(junkValue.map((value) => ({ kind: "json" as const, value })));
  }

  return fc.record({
    method: fc.constant(op.method.toUpperCase()),
    template: fc.constant(op.path),
    pathParams,
    query,
    body: fc.oneof(...bodyArbs),
    auth: fc.constantFrom<AuthMode>("none", "garbage", "user", "user", "user", "admin", "other"),
    garbageToken: fc.oneof(
      hostileString,
      fc.constantFrom(
        "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln",
        "atlas_pat_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
      ),
    ),
    withCookie: fc.boolean(),
    origin: fc
      .option(fc.constantFrom("http://localhost:3000", "https://evil.example", "null"), { freq: 2 })
      .map((o) => o ?? undefined),
    idempotencyKey: fc.option(fc.oneof(fc.uuid(), hostileString), { freq: 3 }).map((k) => k ?? undefined),
  });
}

/** Builds the fetch Request of a generated case; path params from the pool use ids seen in answers. */
export function buildRequest(
  g: GeneratedRequest,
  ctx: { base: string; pool: string[]; token(mode: AuthMode): string | undefined; cookie?: string },
): Request {
  let path = g.template;
  for (const [name, choice] of Object.entries(g.pathParams)) {
    const value =
      "pool" in choice
        ? (ctx.pool[choice.pool % Math.max(ctx.pool.length, 1)] ?? "missing")
        : typeof choice.value === "string"
          ? choice.value
          : JSON.stringify(choice.value);
    path = path.replace(`{${name}}`, encodeURIComponent(wellFormed(value)));
  }
  const url = new URL(path, ctx.base);
  for (const [k, v] of Object.entries(g.query)) {
    if (v === undefined) continue;
    url.searchParams.set(k, typeof v === "string" ? v : JSON.stringify(v));
  }
  const headers = new Headers();
  const token = g.auth === "garbage" ? g.garbageToken : ctx.token(g.auth);
  if (token !== undefined) {
    try {
      headers.set("authorization", `Bearer ${token}`);
    } catch {
      headers.set("authorization", "Bearer %");
    }
  }
  if (g.withCookie && ctx.cookie) headers.set("cookie", ctx.cookie);
  if (g.origin) headers.set("origin", g.origin);
  if (g.idempotencyKey !== undefined) {
    try {
      headers.set("idempotency-key", g.idempotencyKey);
    } catch {
      headers.set("idempotency-key", "x");
    }
  }
  let body: string | Uint8Array | undefined;
  if (g.method !== "GET") {
    if (g.body.kind === "json") {
      body = JSON.stringify(g.body.value) ?? "null";
      headers.set("content-type", "application/json");
    } else if (g.body.kind === "text") {
      body = g.body.value;
      headers.set("content-type", g.body.type);
    } else if (g.body.kind === "bytes") {
      body = g.body.value;
      headers.set("content-type", "application/octet-stream");
    }
  }
  return new Request(url, { method: g.method, headers, body });
}
/** Lone surrogates replaced by U+FFFD (what a client's UTF-8 encoder sends). */
function wellFormed(value: string): string {
  return new TextDecoder().decode(new TextEncoder().encode(value));
}
