/**
 * Renders an OpenAPI document as a self-contained HTML reference: no scripts, no CDN, so it
 * works offline and under a strict Content-Security-Policy.
 */
interface OperationLike {
  summary?: string;
  description?: string;
  tags?: string[];
  parameters?: { name: string; in: string; required?: boolean; description?: string }[];
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: unknown }> }>;
}
interface OpenApiLike {
  info: { title: string; version: string; description?: string };
  paths?: Record<string, Record<string, OperationLike>>;
}

const esc = (s: string) =>
  s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;");

const METHODS = ["get", "post", "put", "patch", "delete", "head", "options"];

function schemaBlock(content: Record<string, { schema?: unknown }> | undefined): string {
  if (!content) return "";
  return Object.entries(content)
    .map(
      ([type, media]) =>
        `<div class="media">${esc(type)}</div><pre>${esc(JSON.stringify(media.schema ?? {}, null, 2))}</pre>`,
    )
    .join("");
}

export function renderApiReference(document: { info: OpenApiLike["info"]; paths?: object }): string {
  const doc = document as OpenApiLike;
  const ops: string[] = [];
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const params = (op.parameters ?? [])
        .map(
          (p) =>
            `<li><code>${esc(p.name)}</code> (${esc(p.in)}${p.required ? ", required" : ""}) ${esc(p.description ?? "")}</li>`,
        )
        .join("");
      const responses = Object.entries(op.responses ?? {})
        .map(([status, r]) => `<li><b>${esc(status)}</b> ${esc(r.description ?? "")}${schemaBlock(r.content)}</li>`)
        .join("");
      ops.push(`<section id="${esc(`${method}-${path}`)}">
<h2><span class="m ${method}">${method.toUpperCase()}</span> <code>${esc(path)}</code></h2>
${op.summary ? `<p><b>${esc(op.summary)}</b></p>` : ""}${op.description ? `<p>${esc(op.description)}</p>` : ""}
${params ? `<h3>Parameters</h3><ul>${params}</ul>` : ""}
${op.requestBody ? `<h3>Request body</h3>${schemaBlock(op.requestBody.content)}` : ""}
<h3>Responses</h3><ul>${responses}</ul></section>`);
    }
  }
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(doc.info.title)} — API reference</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:960px;margin:2rem auto;padding:0 1rem;color:#1b1f24}
section{border-top:1px solid #ddd;padding:.5rem 0}pre{background:#f5f6f8;padding:.75rem;overflow:auto;font-size:12px}
.m{display:inline-block;min-width:4.5em;text-align:center;border-radius:4px;color:#fff;font-size:.8em;padding:2px 6px}
.get{background:#1f6feb}.post{background:#1a7f37}.put,.patch{background:#9a6700}.delete{background:#cf222e}.media{color:#57606a;font-size:.85em}</style>
</head><body><h1>${esc(doc.info.title)} <small>${esc(doc.info.version)}</small></h1>
${doc.info.description ? `<p>${esc(doc.info.description)}</p>` : ""}<p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1)</p>
${ops.join("\n")}</body></html>`;
}
