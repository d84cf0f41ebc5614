#!/usr/bin/env node
// Dependency-free static server for the built web-app: serves DIST_DIR (default web-app/dist)
// with an SPA fallback to index.html and answers GET /config.json from the environment, so one
// image works for every deployment. Run: `node web-app/serve.mjs`.
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { createServer } from "node:http";
import { dirname, extname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const distDir = resolve(process.env.DIST_DIR || join(here, "dist"));
const indexFile = join(distDir, "index.html");
const port = Number(process.env.PORT || 3000);
const host = process.env.HOST || "127.0.0.1";

/** An http(s) URL without trailing slash; exits on anything else so a typo fails at boot. */
function urlFromEnv(name, fallback) {
  const raw = process.env[name] || fallback;
  try {
    const url = new URL(raw);
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error("scheme");
    return url.href.replace(/\/+$/, "");
  } catch {
    console.error(`${name} must be an http(s) URL`);
    process.exit(1);
  }
}

const authUrl = urlFromEnv("AUTH_URL", "http://localhost:4000");
const apiUrl = urlFromEnv("API_URL", "http://localhost:4001");
const tenant = process.env.TENANT || "default";
if (!/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(tenant)) {
  console.error("TENANT must be a tenant slug (lowercase letters, digits, dashes)");
  process.exit(1);
}
const stripePublishableKey = process.env.STRIPE_PUBLISHABLE_KEY || null;
if (stripePublishableKey && !/^pk_(test|live)_[A-Za-z0-9]{8,255}$/.test(stripePublishableKey)) {
  console.error("STRIPE_PUBLISHABLE_KEY must be a Stripe publishable key (pk_test_… or pk_live_…)");
  process.exit(1);
}
// How invoices can be paid on chain, as service-auth accepts them (its CRYPTO_TOKENS): a
// comma-separated list of <chainId>:<symbol>, e.g. "8453:USDC,1:ETH". Empty: no crypto payments.
const cryptoPayments = (process.env.CRYPTO_PAYMENT_OPTIONS || "")
  .split(",")
  .map((s) => s.trim())
  .filter(Boolean)
  .map((entry) => {
    const match = /^(\d{1,15}):([A-Za-z0-9]{1,12})$/.exec(entry);
    if (!match) {
      console.error("CRYPTO_PAYMENT_OPTIONS must be a comma-separated list of <chainId>:<symbol>");
      process.exit(1);
    }
    return { chainId: Number(match[1]), currency: match[2].toUpperCase() };
  });
// A Stripe-compatible API the browser confirms payments against directly (a proxy; the local
// Stripe peer in tests). Unset: Stripe.js talks to Stripe.
const stripeApiUrl = process.env.STRIPE_API_URL ? urlFromEnv("STRIPE_API_URL", "") : null;
const runtimeConfig = JSON.stringify({ authUrl, apiUrl, tenant, stripePublishableKey, cryptoPayments, stripeApiUrl });

const CONTENT_TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".webp": "image/webp",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
  ".woff2": "font/woff2",
  ".webmanifest": "application/manifest+json",
};

// Stripe Elements (only with a publishable key) loads Stripe.js and runs card fields in its frames.
const stripe = stripePublishableKey
  ? {
      script: " https://js.stripe.com",
      frame: "https://js.stripe.com https://hooks.stripe.com",
      api: ["https://api.stripe.com"],
    }
  : { script: "", frame: "'none'", api: [] };
const connectSrc = [
  ...new Set([
    "'self'",
    new URL(authUrl).origin,
    new URL(apiUrl).origin,
    ...stripe.api,
    ...(stripeApiUrl ? [new URL(stripeApiUrl).origin] : []),
  ]),
].join(" ");
const SECURITY_HEADERS = {
  "Content-Security-Policy": [
    "default-src 'self'",
    `script-src 'self'${stripe.script}`,
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src ${connectSrc}`,
    `frame-src ${stripe.frame}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; "),
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "X-Frame-Options": "DENY",
  "Cross-Origin-Opener-Policy": "same-origin",
};

function send(req, res, status, headers, body) {
  res.writeHead(status, { ...SECURITY_HEADERS, ...headers });
  res.end(req.method === "HEAD" ? undefined : body);
}

const TEXT = "text/plain; charset=utf-8";
const text = (req, res, status, body, headers = {}) =>
  send(req, res, status, { "Content-Type": TEXT, ...headers }, body);
const json = (req, res, body) =>
  send(req, res, 200, { "Content-Type": CONTENT_TYPES[".json"], "Cache-Control": "no-store" }, body);

async function fileAt(path) {
  try {
    const info = await stat(path);
    return info.isFile() ? info : undefined;
  } catch {
    return undefined;
  }
}

/** Maps a URL path to a file inside distDir, or undefined if it would leave it. */
function safePath(pathname) {
  let decoded;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
  if (decoded.includes("\0")) return undefined;
  const file = resolve(distDir, `.${decoded}`);
  if (file !== distDir && !file.startsWith(distDir + sep)) return undefined;
  // Dotfiles (.env, .git...) are never published.
  if (
    file
      .slice(distDir.length)
      .split(sep)
      .some((part) => part.startsWith("."))
  )
    return undefined;
  return file;
}

function cacheControl(file, pathname) {
  if (file === indexFile) return "no-store";
  // Vite content-hashes everything under /assets, so it can be cached forever.
  if (pathname.startsWith("/assets/")) return "public, max-age=31536000, immutable";
  return "no-cache";
}

async function serveFile(req, res, file, info, pathname) {
  const type = CONTENT_TYPES[extname(file).toLowerCase()] ?? "application/octet-stream";
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    "Content-Type": type,
    "Content-Length": info.size,
    "Cache-Control": cacheControl(file, pathname),
    "Last-Modified": info.mtime.toUTCString(),
  });
  if (req.method === "HEAD") return res.end();
  createReadStream(file)
    .on("error", () => res.destroy())
    .pipe(res);
}

async function handle(req, res) {
  if (req.method !== "GET" && req.method !== "HEAD") {
    return text(req, res, 405, "Method Not Allowed", { Allow: "GET, HEAD" });
  }
  const { pathname } = new URL(req.url ?? "/", "http://localhost");
  if (pathname === "/config.json") return json(req, res, runtimeConfig);
  if (pathname === "/health") return json(req, res, '{"status":"ok","service":"web-app"}');
  // Ready once there is a bundle to serve (the container health check).
  if (pathname === "/ready") {
    if (await fileAt(indexFile)) return json(req, res, '{"status":"ready"}');
    return text(req, res, 503, "index.html missing");
  }

  const file = safePath(pathname);
  if (file === undefined) return text(req, res, 404, "Not Found");
  const info = await fileAt(file);
  if (info) return serveFile(req, res, file, info, pathname);

  // A missing asset (a path with an extension) is a real 404; anything else is a client route.
  if (extname(pathname) !== "") return text(req, res, 404, "Not Found");
  const index = await fileAt(indexFile);
  if (!index) return text(req, res, 500, "index.html missing");
  return serveFile(req, res, indexFile, index, pathname);
}

if (!(await fileAt(indexFile))) {
  console.error(`no index.html in ${distDir}: build the web-app first (pnpm --filter @atlas/web-app build)`);
  process.exit(1);
}

const server = createServer((req, res) => {
  handle(req, res).catch((error) => {
    console.error("request failed", error);
    if (!res.headersSent) text(req, res, 500, "Internal Server Error");
    else res.destroy();
  });
});

server.listen(port, host, () => {
  console.log(`web-app serving ${distDir} on http://${host}:${port}`);
});

function shutdown(signal) {
  console.log(`${signal}: shutting down`);
  server.close(() => process.exit(0));
  server.closeIdleConnections();
  // Keep-alive or slow clients must not hold the container open past its stop timeout.
  setTimeout(() => {
    server.closeAllConnections();
    process.exit(0);
  }, 5_000).unref();
}
process.once("SIGTERM", () => shutdown("SIGTERM"));
process.once("SIGINT", () => shutdown("SIGINT"));
