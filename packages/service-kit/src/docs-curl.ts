/**
 * A copyable curl command per operation of an OpenAPI 3.1 document, for the API reference:
 * method and URL (path parameters filled from their examples), the credentials its security
 * asks for (as environment variables, never values), X-Tenant and Idempotency-Key when the
 * operation takes them, and the request body's example.
 */
interface ParameterLike {
  name: string;
  in: string;
  required?: boolean;
  example?: unknown;
  schema?: { example?: unknown; examples?: unknown[] };
}
interface MediaLike {
  schema?: unknown;
  example?: unknown;
  examples?: Record<string, { value?: unknown }>;
}
interface OperationLike {
  parameters?: ParameterLike[];
  requestBody?: { content?: Record<string, MediaLike> };
  security?: Record<string, unknown>[];
}
export interface DocumentLike {
  info?: { title: string; version: string; description?: string };
  paths?: Record<string, Record<string, unknown>>;
  components?: { schemas?: Record<string, unknown> };
  [key: string]: unknown;
}

/** A shell word in single quotes (a quote inside becomes '\''). */
const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

/** The schema `ref` names (`#/components/schemas/X`), or the schema itself. */
function resolve(document: DocumentLike, schema: unknown): Record<string, unknown> | undefined {
  if (typeof schema !== "object" || schema === null) return undefined;
  const ref = (schema as { $ref?: unknown }).$ref;
  if (typeof ref === "string" && ref.startsWith("#/components/schemas/")) {
    return resolve(document, document.components?.schemas?.[ref.slice("#/components/schemas/".length)]);
  }
  return schema as Record<string, unknown>;
}

/** The example of a media type: its own, the first named one, or its schema's. */
export function mediaExample(document: DocumentLike, media: MediaLike | undefined): unknown {
  if (!media) return undefined;
  if (media.example !== undefined) return media.example;
  const named = Object.values(media.examples ?? {})[0];
  if (named?.value !== undefined) return named.value;
  const schema = resolve(document, media.schema);
  if (schema?.example !== undefined) return schema.example;
  return Array.isArray(schema?.examples) ? schema.examples[0] : undefined;
}

const parameterExample = (p: ParameterLike) => p.example ?? p.schema?.example ?? p.schema?.examples?.[0];

function formBody(value: unknown): string[] {
  if (typeof value !== "object" || value === null) return [];
  return Object.entries(value).map(([k, v]) => `--data-urlencode ${quote(`${k}=${String(v)}`)}`);
}

export function curlSample(document: DocumentLike, origin: string, method: string, path: string): string {
  const op = (document.paths?.[path]?.[method] ?? {}) as OperationLike;
  const params = op.parameters ?? [];
  let url = path.replace(/\{([^}]+)\}/g, (whole, name: string) => {
    const example = parameterExample(params.find((p) => p.in === "path" && p.name === name) ?? { name, in: "path" });
    return example === undefined ? whole : encodeURIComponent(String(example));
  });
  const query = params
    .filter((p) => p.in === "query" && p.required)
    .map((p) => `${encodeURIComponent(p.name)}=${encodeURIComponent(String(parameterExample(p) ?? `<${p.name}>`))}`);
  if (query.length > 0) url += `?${query.join("&")}`;

  const lines = [
    method === "get" ? `curl ${quote(origin + url)}` : `curl -X ${method.toUpperCase()} ${quote(origin + url)}`,
  ];
  const schemes = new Set((op.security ?? []).flatMap((s) => Object.keys(s)));
  // Basic first: an operation offering both (introspection) is meant for resource servers.
  if (schemes.has("basic")) lines.push(`-u "$CLIENT_ID:$CLIENT_SECRET"`);
  else if (schemes.has("bearer")) lines.push(`-H "Authorization: Bearer $ATLAS_TOKEN"`);
  for (const p of params.filter((q) => q.in === "header")) {
    const name = p.name.toLowerCase();
    if (name === "x-tenant") lines.push(`-H 'X-Tenant: ${String(parameterExample(p) ?? "default")}'`);
    else if (name === "idempotency-key") lines.push(`-H "Idempotency-Key: $(uuidgen)"`);
    else if (p.required) lines.push(`-H ${quote(`${p.name}: ${String(parameterExample(p) ?? `<${p.name}>`)}`)}`);
  }

  const content = op.requestBody?.content ?? {};
  const json = Object.entries(content).find(([type]) => type.includes("json"));
  if (json) {
    lines.push(`-H 'Content-Type: ${json[0]}'`);
    lines.push(`--data ${quote(JSON.stringify(mediaExample(document, json[1]) ?? {}, null, 2))}`);
  } else if (content["application/x-www-form-urlencoded"]) {
    lines.push(...formBody(mediaExample(document, content["application/x-www-form-urlencoded"])));
  } else if (content["application/octet-stream"]) {
    lines.push(`-H 'Content-Type: application/octet-stream'`, "--data-binary @./file");
  }
  return lines.join(" \\\n  ");
}
