/**
 * The API reference at `/docs`: Redoc (https://redocly.com/docs/redoc/config), served from the
 * locally installed `redoc` package, never a CDN, so it works offline and under a strict
 * Content-Security-Policy. The page is a shell: the bundle (read from disk on the first request,
 * not at boot) renders `/docs/reference.json`, the service's OpenAPI document plus a copyable curl
 * sample per operation (`x-codeSamples`) and this deployment as its server.
 */
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import type { Env, Hono } from "hono";
import { curlSample, type DocumentLike } from "./docs-curl.ts";

/**
 * Two <style> elements the Redoc 2.5.4 bundle inserts while it loads, before Redoc.init can hand
 * it the nonce: an empty one and its base stylesheet, allowed by their SHA-256. Another version
 * of the bundle changes them; test/web-docs.test.ts fails on any CSP violation.
 */
const BUNDLE_STYLE_HASHES =
  "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=' 'sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc='";

/**
 * The Content-Security-Policy of a `/docs` page: scripts and data from this origin only. Redoc
 * styles its components with styled-components, which inserts <style> elements at run time: they
 * carry the page's nonce (Redoc's `nonce` option), so no 'unsafe-inline' is needed. Its search
 * index runs in a Web Worker built from a blob: URL (worker-src blob:).
 */
export const docsCsp = (nonce: string) =>
  [
    "default-src 'none'",
    "script-src 'self'",
    `style-src 'self' 'nonce-${nonce}' ${BUNDLE_STYLE_HASHES}`,
    "img-src 'self' data:",
    "connect-src 'self'",
    "worker-src blob:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join("; ");

const esc = (s: string) =>
  s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;");

/** The HTML shell of `/docs`: no inline script or style, readable (a link to the JSON) without JavaScript. */
export function renderApiReference(document: { info: { title: string; version: string } }, nonce: string): string {
  const title = `${esc(document.info.title)} ${esc(document.info.version)} — API reference`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title>
<link rel="icon" href="data:,"><link rel="stylesheet" href="/docs/reference.css"></head><body>
<main id="reference" aria-label="API reference"><noscript><p>${title}: the reference needs JavaScript.
The machine-readable document is at <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1).</p></noscript></main>
<script src="/docs/redoc.standalone.js"></script><script src="/docs/reference.js" nonce="${nonce}"></script>
</body></html>`;
}

/** Redoc's options (https://redocly.com/docs/redoc/config): the curl tab first, responses open. */
const INIT_SCRIPT = `"use strict";
(function () {
  var root = document.getElementById("reference");
  // The page's style nonce (readable as the property, never as the attribute).
  var nonce = document.currentScript && document.currentScript.nonce;
  window.Redoc.init("/docs/reference.json", {
    nonce: nonce || undefined,
    requiredPropsFirst: true,
    expandResponses: "200,201",
    jsonSampleExpandLevel: 3,
    schemaExpansionLevel: 1,
    pathInMiddlePanel: true,
    nativeScrollbars: true,
    hideDownloadButton: true,
    // Colours of at least 4.5:1 on Redoc's light backgrounds (WCAG 2.1 AA).
    theme: {
      colors: { primary: { main: "#0b5cad", light: "#0b5cad" } },
      schema: { typeNameColor: "#4d4d4d", typeTitleColor: "#4d4d4d" },
      typography: { fontFamily: "system-ui, sans-serif", headings: { fontFamily: "system-ui, sans-serif" } }
    }
  }, root, function (error) {
    if (error) root.textContent = "The API reference could not be shown: " + error;
    else {
      nameMenuButton();
      plainMenuItemNames();
    }
  });
  // Redoc names each navigation item by its title alone (aria-label) while the item also shows the
  // method ("post"): without the label, the name is what a sighted user reads (WCAG 2.5.3).
  function plainMenuItemNames() {
    var strip = function () {
      var items = root.querySelectorAll("[role=menuitem][aria-label]");
      for (var i = 0; i < items.length; i++) items[i].removeAttribute("aria-label");
    };
    strip();
    new MutationObserver(strip).observe(root, { childList: true, subtree: true, attributes: true, attributeFilter: ["aria-label"] });
  }
  // On narrow screens Redoc folds the navigation behind a floating div that only a mouse can
  // open: make it a named button that a keyboard and a screen reader can use too.
  function nameMenuButton() {
    var chevron = document.querySelector('svg[viewBox="0 0 926.23699 573.74994"]');
    var button = chevron && chevron.parentElement && chevron.parentElement.parentElement;
    if (!button) return;
    button.setAttribute("role", "button");
    button.setAttribute("aria-label", "Menu");
    button.setAttribute("tabindex", "0");
    button.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        button.click();
      }
    });
  }
})();
`;

/** Code samples wrap rather than scroll: a scrolling box would need a keyboard stop of its own. */
const STYLESHEET = `pre { white-space: pre-wrap !important; overflow-wrap: anywhere; overflow-x: visible !important; }
`;

/**
 * The document Redoc renders: the served one, with this deployment (the request's origin) as
 * its server and a curl sample on every operation.
 */
export function referenceDocument(document: DocumentLike, origin: string): DocumentLike {
  const paths: DocumentLike["paths"] = {};
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    const withSamples: Record<string, unknown> = {};
    for (const [method, op] of Object.entries(item)) {
      withSamples[method] =
        typeof op === "object" && op !== null && METHODS.has(method)
          ? {
              ...op,
              "x-codeSamples": [{ lang: "Shell", label: "curl", source: curlSample(document, origin, method, path) }],
            }
          : op;
    }
    paths[path] = withSamples;
  }
  const info = document.info ?? { title: "API", version: "" };
  // Redoc's Authentication section (the security schemes and their descriptions), after the prose.
  const description = `${info.description ?? ""}\n\n## Authentication\n\n<!-- ReDoc-Inject: <security-definitions> -->\n`;
  return {
    ...document,
    info: { ...info, description },
    servers: [{ url: origin, description: "This deployment" }],
    paths,
  };
}

const METHODS = new Set(["get", "post", "put", "patch", "delete", "head", "options"]);

/**
 * The sidebar's "API docs by Redocly" shows a logo from Redoc's CDN, with no option to turn it
 * off; an image that cannot load hides itself, so it gets an empty data: URL instead.
 */
const CDN_LOGO = '"https://cdn.redoc.ly/redoc/logo-mini.svg"';

let bundle: Promise<string> | undefined;
/** The Redoc bundle (about 1 MB), read once, on the first request that needs it. */
function redocBundle(): Promise<string> {
  // A literal specifier: each service lists redoc among its own dependencies, since its
  // production bundle resolves packages from the service's node_modules (test/images.test.ts).
  const require = createRequire(import.meta.url);
  bundle ??= readFile(require.resolve("redoc/bundles/redoc.standalone.js"), "utf8")
    .then((text) => text.replaceAll(CDN_LOGO, '"data:,"'))
    .catch((error: unknown) => {
      bundle = undefined;
      throw error;
    });
  return bundle;
}

/** Registers `/docs` and its assets; `document` builds the OpenAPI document (on request). */
export function registerApiReference<E extends Env>(app: Hono<E>, document: () => DocumentLike): void {
  app.get("/docs", (c) => {
    const nonce = randomBytes(16).toString("base64");
    c.header("Content-Security-Policy", docsCsp(nonce));
    c.header("Cache-Control", "no-store");
    const { info } = document();
    return c.html(renderApiReference({ info: info ?? { title: "API", version: "" } }, nonce));
  });
  app.get("/docs/reference.json", (c) => {
    c.header("Cache-Control", "no-store");
    return c.json(referenceDocument(document(), new URL(c.req.url).origin));
  });
  app.get("/docs/reference.js", (c) => {
    c.header("Content-Type", "text/javascript; charset=utf-8");
    c.header("Cache-Control", "public, max-age=3600");
    return c.body(INIT_SCRIPT);
  });
  app.get("/docs/reference.css", (c) => {
    c.header("Content-Type", "text/css; charset=utf-8");
    c.header("Cache-Control", "public, max-age=3600");
    return c.body(STYLESHEET);
  });
  app.get("/docs/redoc.standalone.js", async (c) => {
    const body = await redocBundle();
    c.header("Content-Type", "text/javascript; charset=utf-8");
    c.header("Cache-Control", "public, max-age=86400");
    return c.body(body);
  });
}
