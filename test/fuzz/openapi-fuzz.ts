// Generated requests over every operation of an OpenAPI 3.1 document (fast-check), sent to a
// service's real Hono app on the worker's real PostgreSQL. Each case checks: no 5xx, no stack trace
// or internal detail in the answer, errors as problem+json with a stable `code`, and — for a
// rejected request — no database change outside the tables whose rows *are* the record of a
// rejected request (the audit log, lockout counters, usage counters; see ALLOWED_ON_REJECT).
import fc from "fast-check";
import pg from "pg";
import {
  type AuthMode,
  buildRequest,
  type GeneratedRequest,
  type OpenApiDoc,
  operationsOf,
  requestArb,
} from "./requests.ts";

export type { AuthMode, OpenApiDoc } from "./requests.ts";

/** Signs of an internal error leaking into an answer. */
const LEAKS = [
  /\n\s+at .+[:(].+:\d+:\d+/, // a stack frame
  /node_modules\//,
  /\/(src|dist)\/[\w/.-]+\.(ts|js):\d+/,
  /Prisma\w*(Client)?(Known|Unknown)?RequestError|Invalid `prisma\./,
  /duplicate key value violates|violates (foreign key|check|not-null) constraint|syntax error at or near/,
  /TypeError:|ReferenceError:|SyntaxError: Unexpected/,
];

export function leakIn(text: string): string | undefined {
  return LEAKS.find((re) => re.test(text))?.source;
}

/** Tables whose rows are the intended record of a rejected request. */
export const ALLOWED_ON_REJECT = new Set([
  "auth.auth_audit_logs", // every refused auth attempt is audited
  "auth.auth_lockout_states", // failure counters behind backoff and lockout
  "auth.auth_tenant_webhook_deliveries", // the tenant's copy of those audit events
  "cloud.cloud_usage_records", // every authenticated request is metered, refused or not
  "auth.auth_job_states", // background jobs' bookkeeping
  "cloud.cloud_storage_usage", // storage byte-hours accrual job
  // Idempotency-Key reservations: released again on a 400 or 5xx; an executed request's 4xx is
  // kept as the answer a retry with the same key replays (Stripe's contract, api.md).
  "auth.auth_idempotency_keys",
]);

/** Row-level triggers on every application table recording which table changed. */
export class ChangeTracker {
  private constructor(private readonly client: pg.Client) {}

  static async install(url: string): Promise<ChangeTracker> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`
      CREATE SCHEMA IF NOT EXISTS fuzz;
      CREATE TABLE IF NOT EXISTS fuzz.changes (id bigserial PRIMARY KEY, tbl text NOT NULL, op text NOT NULL);
      CREATE OR REPLACE FUNCTION fuzz.track() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO fuzz.changes (tbl, op) VALUES (TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME, TG_OP);
        RETURN NULL;
      END $$;`);
    const { rows } = await client.query<{ s: string; t: string }>(
      `SELECT schemaname AS s, tablename AS t FROM pg_tables
        WHERE schemaname IN ('auth', 'billing', 'cloud') AND tablename <> '_prisma_migrations'`,
    );
    for (const { s, t } of rows) {
      await client.query(`DROP TRIGGER IF EXISTS fuzz_track ON "${s}"."${t}"`);
      await client.query(
        `CREATE TRIGGER fuzz_track AFTER INSERT OR UPDATE OR DELETE ON "${s}"."${t}" FOR EACH ROW EXECUTE FUNCTION fuzz.track()`,
      );
    }
    return new ChangeTracker(client);
  }

  async mark(): Promise<number> {
    const { rows } = await this.client.query<{ id: string | null }>("SELECT max(id) AS id FROM fuzz.changes");
    return Number(rows[0]?.id ?? 0);
  }

  /** Tables changed since `mark`, with the operation. */
  async since(mark: number): Promise<string[]> {
    const { rows } = await this.client.query<{ tbl: string; op: string }>(
      "SELECT DISTINCT tbl, op FROM fuzz.changes WHERE id > $1",
      [mark],
    );
    return rows.map((r) => `${r.op} ${r.tbl}`);
  }

  async uninstall(): Promise<void> {
    await this.client.query("DROP SCHEMA fuzz CASCADE");
    await this.client.end();
  }
}

/** Collects every `id`-like string of a JSON answer into the pool path parameters draw from. */
export function harvestIds(value: unknown, pool: string[], depth = 0): void {
  if (depth > 5 || pool.length > 500 || value === null || typeof value !== "object") return;
  for (const [k, v] of Object.entries(value)) {
    if (typeof v === "string" && /(^id$|Id$|^key$)/.test(k) && v.length < 200 && !pool.includes(v)) pool.push(v);
    else if (typeof v === "object") harvestIds(v, pool, depth + 1);
  }
}

export interface FuzzStats {
  cases: number;
  byStatus: Record<string, number>;
  byOperation: Record<string, number>;
}

export function newStats(): FuzzStats {
  return { cases: 0, byStatus: {}, byOperation: {} };
}

/** The seed of this run: FUZZ_SEED when given (to replay), else random; always logged. */
export function fuzzSeed(): number {
  const fromEnv = process.env.FUZZ_SEED;
  return fromEnv ? Number(fromEnv) : Math.floor(Math.random() * 2 ** 31);
}

export interface FuzzTarget {
  /** Sends a request to the app under test. */
  fetch(req: Request): Promise<Response>;
  doc: OpenApiDoc;
  tracker: ChangeTracker;
  /** Ids path parameters draw from (grown from answers). */
  pool: string[];
  token(mode: AuthMode): string | undefined;
  cookie?(): string | undefined;
  /** Runs after each case (re-login after a state change, fresh rate-limit counters, …). */
  afterCase?(g: GeneratedRequest, res: Response, n: number): Promise<void>;
  /** Statuses that are answers other than problem+json by contract (e.g. 3xx redirects). */
  nonProblemOk?(g: GeneratedRequest, res: Response, text: string): boolean;
}

function describeCase(g: GeneratedRequest, req: Request): string {
  return `${g.method} ${req.url} auth=${g.auth} body=${JSON.stringify(g.body, (_k, v) => (v instanceof Uint8Array ? `<${v.length} bytes>` : v)).slice(0, 400)}`;
}

/** Runs `numRuns` generated cases over every operation of the target's document. */
export async function fuzz(target: FuzzTarget, numRuns: number, seed: number): Promise<FuzzStats> {
  const stats = newStats();
  const ops = operationsOf(target.doc);
  const arbs = ops.map((op) => requestArb(op, target.doc));
  await fc.assert(
    fc.asyncProperty(fc.oneof(...arbs), async (g) => {
      const req = buildRequest(g, {
        base: "http://fuzz.test",
        pool: target.pool,
        token: target.token,
        cookie: target.cookie?.(),
      });
      const what = describeCase(g, req);
      const before = await target.tracker.mark();
      const res = await target.fetch(req);
      const type = res.headers.get("content-type") ?? "";
      const text = /json|text|html/.test(type) || type === "" ? await res.text() : "";
      stats.cases += 1;
      stats.byStatus[res.status] = (stats.byStatus[res.status] ?? 0) + 1;
      const opKey = `${g.method} ${g.template}`;
      stats.byOperation[opKey] = (stats.byOperation[opKey] ?? 0) + 1;
      if (res.status >= 500) throw new Error(`${res.status} for ${what}\n${text.slice(0, 600)}`);
      const leak = leakIn(text);
      if (leak) throw new Error(`internal detail (${leak}) in the answer to ${what}\n${text.slice(0, 600)}`);
      if (res.status >= 400) {
        if (!(target.nonProblemOk?.(g, res, text) ?? false)) {
          if (!type.startsWith("application/problem+json")) {
            throw new Error(`${res.status} without problem+json (${type}) for ${what}`);
          }
          const problem = JSON.parse(text) as { code?: unknown; status?: unknown };
          if (typeof problem.code !== "string" || problem.status !== res.status) {
            throw new Error(`problem without a stable code/status for ${what}: ${text.slice(0, 300)}`);
          }
        }
        const changed = (await target.tracker.since(before)).filter(
          (c) => !ALLOWED_ON_REJECT.has(c.split(" ")[1] ?? ""),
        );
        if (changed.length > 0) throw new Error(`rejected (${res.status}) but changed ${changed.join(", ")}: ${what}`);
      } else if (type.includes("json") && text) {
        harvestIds(JSON.parse(text), target.pool);
      }
      await target.afterCase?.(g, res, stats.cases);
    }),
    { numRuns, seed, endOnFailure: true },
  );
  return stats;
}

/** Operations a run never reached (each must be reached: the document is the contract). */
export function unreached(doc: OpenApiDoc, stats: FuzzStats): string[] {
  return operationsOf(doc)
    .map((o) => `${o.method.toUpperCase()} ${o.path}`)
    .filter((k) => !stats.byOperation[k]);
}
