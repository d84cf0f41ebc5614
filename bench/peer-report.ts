// The peer table (Atlas ÷ Better Auth and the bare baselines, same run) and the targets table of
// issue 20 item 2, for bench/RESULTS.md. Pure formatting: every figure is measured in bench/run.ts.
import type { ColdStart } from "./auth-extra.ts";
import type { HashingRun } from "./hashing.ts";

/** What a load run reports (a subset of bench/run.ts's row). */
export interface LoadFigure {
  rps: number;
  non2xx: number;
  errors: number;
}

export interface PeerFigures {
  peerVersion: string;
  atlas: { refresh: LoadFigure; jwks: LoadFigure; me: LoadFigure; authHealth: LoadFigure; cloudHealth: LoadFigure };
  peer: { token: LoadFigure; jwks: LoadFigure; session: LoadFigure };
  bare: {
    /** The bare /ping run just before service-auth's /health run. */
    pingBeforeAuth: LoadFigure;
    /** The bare /ping run just before cloud-api's /health run. */
    pingBeforeCloud: LoadFigure;
    verifier: LoadFigure;
  };
  /** MB: idle = 3 s after seeding; peak = sampled every 100 ms through the HTTP runs. */
  rss: {
    idle: { auth: number; cloud: number; peer: number; verifier: number; ping: number };
    peak: { auth: number; cloud: number; peer: number; verifier: number };
  };
  cold: { auth: ColdStart; cloud: ColdStart; peer: ColdStart };
  /** Issue 20 item 3: service-auth `/health` p99 alone and during concurrent argon2id verifications. */
  hashing?: HashingRun;
}

const f0 = (n: number) => n.toFixed(0);
const f1 = (n: number) => n.toFixed(1);
const ratio = (a: number, b: number) => (b > 0 ? a / b : Number.NaN);
const x = (r: number) => (Number.isFinite(r) ? `${r >= 10 ? r.toFixed(1) : r.toFixed(2)}×` : "n/a");
const met = (ok: boolean) => (ok ? "met" : "**not met**");

/** `1234 req/s`, flagged when the run had refusals or errors (its rate then measures those too). */
function rate(r: LoadFigure, unit = "req/s"): string {
  const bad = r.non2xx + r.errors;
  return `${r.rps} ${unit}${bad ? ` ⚠ ${r.non2xx} non-2xx, ${r.errors} errors` : ""}`;
}

function runs(c: ColdStart): string {
  return c.runs.map(f0).join(", ");
}

export function peerTable(p: PeerFigures): string {
  const { atlas, peer, bare, rss, cold } = p;
  const ba = `Better Auth ${p.peerVersion}`;
  const rows = [
    [
      `token issuance: Atlas \`POST /auth/token/refresh\` (rotation on Postgres + RS256 sign) vs ${ba} \`GET /api/auth/token\` (session lookup + RS256 sign)`,
      rate(atlas.refresh, "/s"),
      rate(peer.token, "/s"),
      x(ratio(atlas.refresh.rps, peer.token.rps)),
      "higher",
    ],
    [
      `JWKS: \`GET /.well-known/jwks.json\` vs \`GET /api/auth/jwks\``,
      rate(atlas.jwks),
      rate(peer.jwks),
      x(ratio(atlas.jwks.rps, peer.jwks.rps)),
      "higher",
    ],
    [
      "session check: cloud-api `GET /v1/me` (JWT, metered) vs `GET /api/auth/get-session` (cookie)",
      rate(atlas.me),
      rate(peer.session),
      x(ratio(atlas.me.rps, peer.session.rps)),
      "higher",
    ],
    [
      "verified request: cloud-api `GET /v1/me` (JWT, metered) vs bare Hono + jose `createRemoteJWKSet`, verifying every request",
      rate(atlas.me),
      rate(bare.verifier),
      x(ratio(atlas.me.rps, bare.verifier.rps)),
      "higher",
    ],
    [
      `cold start, spawn → first 200: service-auth \`/ready\` (median of ${cold.auth.runs.length}: ${runs(cold.auth)}) vs ${ba} \`/api/auth/jwks\` (${runs(cold.peer)})`,
      `${f0(cold.auth.medianMs)} ms`,
      `${f0(cold.peer.medianMs)} ms`,
      x(ratio(cold.auth.medianMs, cold.peer.medianMs)),
      "lower",
    ],
    [
      `idle RSS: service-auth vs ${ba}`,
      `${f1(rss.idle.auth)} MB`,
      `${f1(rss.idle.peer)} MB`,
      x(ratio(rss.idle.auth, rss.idle.peer)),
      "lower",
    ],
    [
      "idle RSS: cloud-api vs bare jose verifier",
      `${f1(rss.idle.cloud)} MB`,
      `${f1(rss.idle.verifier)} MB`,
      x(ratio(rss.idle.cloud, rss.idle.verifier)),
      "lower",
    ],
    [
      `peak RSS under load: service-auth vs ${ba}`,
      `${f1(rss.peak.auth)} MB`,
      `${f1(rss.peak.peer)} MB`,
      x(ratio(rss.peak.auth, rss.peak.peer)),
      "lower",
    ],
    [
      "peak RSS under load: cloud-api vs bare jose verifier",
      `${f1(rss.peak.cloud)} MB`,
      `${f1(rss.peak.verifier)} MB`,
      x(ratio(rss.peak.cloud, rss.peak.verifier)),
      "lower",
    ],
  ];
  return [
    "| figure | Atlas | peer / baseline | Atlas ÷ peer | better when |",
    "|---|---:|---:|---:|:-:|",
    ...rows.map((r) => `| ${r.join(" | ")} |`),
  ].join("\n");
}

export function targetsTable(p: PeerFigures): string {
  const { atlas, peer, bare, rss, cold } = p;
  const refreshRatio = ratio(atlas.refresh.rps, peer.token.rps);
  const jwksRatio = ratio(atlas.jwks.rps, peer.jwks.rps);
  const authShell = ratio(atlas.authHealth.rps, bare.pingBeforeAuth.rps);
  const cloudShell = ratio(atlas.cloudHealth.rps, bare.pingBeforeCloud.rps);
  const meRatio = ratio(atlas.me.rps, bare.verifier.rps);
  const pct = (r: number) => `${(r * 100).toFixed(0)} %`;
  const rows = [
    [
      "token refresh (real rotation) vs the peer's RS256 issuance",
      rate(atlas.refresh, "/s"),
      `Better Auth \`/token\` ${rate(peer.token, "/s")}`,
      x(refreshRatio),
      "≥ 3×",
      met(refreshRatio >= 3),
    ],
    [
      "JWKS vs the peer's",
      rate(atlas.jwks),
      `Better Auth \`/api/auth/jwks\` ${rate(peer.jwks)}`,
      x(jwksRatio),
      "≥ 20×",
      met(jwksRatio >= 20),
    ],
    [
      "service shell: service-auth `/health` vs bare Hono `/ping`",
      rate(atlas.authHealth),
      `\`/ping\` ${rate(bare.pingBeforeAuth)}`,
      pct(authShell),
      "≥ 60 %",
      met(authShell >= 0.6),
    ],
    [
      "service shell: cloud-api `/health` vs bare Hono `/ping`",
      rate(atlas.cloudHealth),
      `\`/ping\` ${rate(bare.pingBeforeCloud)}`,
      pct(cloudShell),
      "≥ 60 %",
      met(cloudShell >= 0.6),
    ],
    [
      "cloud-api `GET /v1/me` (JWT, metered) vs the bare jose verifier",
      rate(atlas.me),
      `bare verifier ${rate(bare.verifier)}`,
      x(meRatio),
      "≥ 1.5×",
      met(meRatio >= 1.5),
    ],
    [
      "service-auth idle RSS",
      `${f1(rss.idle.auth)} MB`,
      `Better Auth ${f1(rss.idle.peer)} MB, bare /ping ${f1(rss.idle.ping)} MB`,
      x(ratio(rss.idle.auth, rss.idle.peer)),
      "≤ 120 MB",
      met(rss.idle.auth <= 120),
    ],
    [
      "service-auth peak RSS under load",
      `${f1(rss.peak.auth)} MB`,
      `Better Auth ${f1(rss.peak.peer)} MB`,
      x(ratio(rss.peak.auth, rss.peak.peer)),
      "≤ 200 MB",
      met(rss.peak.auth <= 200),
    ],
    [
      "cloud-api idle RSS",
      `${f1(rss.idle.cloud)} MB`,
      `bare verifier ${f1(rss.idle.verifier)} MB`,
      x(ratio(rss.idle.cloud, rss.idle.verifier)),
      "≤ 80 MB",
      met(rss.idle.cloud <= 80),
    ],
    [
      `service-auth cold start, spawn → first 200 on \`/ready\` (${runs(cold.auth)})`,
      `${f0(cold.auth.medianMs)} ms`,
      `Better Auth ${f0(cold.peer.medianMs)} ms`,
      x(ratio(cold.auth.medianMs, cold.peer.medianMs)),
      "≤ 800 ms",
      met(cold.auth.medianMs <= 800),
    ],
    [
      `cloud-api cold start, spawn → first 200 on \`/ready\` (${runs(cold.cloud)})`,
      `${f0(cold.cloud.medianMs)} ms`,
      `Better Auth ${f0(cold.peer.medianMs)} ms`,
      x(ratio(cold.cloud.medianMs, cold.peer.medianMs)),
      "≤ 400 ms",
      met(cold.cloud.medianMs <= 400),
    ],
  ];
  const h = p.hashing;
  if (h)
    rows.push([
      `hashing off the event loop (item 3): service-auth \`/health\` p99 at ${h.healthRate} req/s while ${h.concurrency} concurrent backup-code verifications run (${f0(h.verificationsPerSec)}/s, argon2id m 19 MiB t 2${h.failures ? `, ⚠ ${h.failures} failed` : ""})`,
      `${h.loaded.p99} ms`,
      `alone ${h.alone.p99} ms`,
      x(h.ratio),
      "≤ 2×",
      met(h.ratio <= 2 && h.failures === 0),
    ]);
  return [
    "| target | measured | same-run reference | ratio | target | met |",
    "|---|---:|---:|---:|---:|:-:|",
    ...rows.map((r) => `| ${r.join(" | ")} |`),
  ].join("\n");
}
