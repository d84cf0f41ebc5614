import { requireScope } from "@atlas/auth-verify";
import { AppError } from "@atlas/errors";
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { Deps } from "../deps.ts";
import type { CloudEnv } from "../ports.ts";
import { bucketCount, MAX_BUCKETS, SERIES_METRICS, usageSeries } from "../services/usage.ts";
import { bearer, ownerOf, problem } from "./common.ts";
import * as EX from "./examples.ts";

const isoDate = z.iso.datetime({ offset: true }).openapi({ format: "date-time" });

const UsageSeries = z
  .object({
    from: z.string().openapi({ description: "Start of the first bucket (ISO 8601)" }),
    to: z.string().openapi({ description: "End of the last bucket (ISO 8601)" }),
    granularity: z.enum(["hour", "day"]),
    series: z.array(
      z.object({
        metric: z.enum(SERIES_METRICS),
        points: z.array(
          z.object({ t: z.string().openapi({ description: "Bucket start (ISO 8601)" }), value: z.number().int() }),
        ),
      }),
    ),
  })
  .openapi("UsageSeries");

const usageRoute = createRoute({
  method: "get",
  path: "/v1/usage",
  tags: ["usage"],
  summary: "The caller's usage series by hour or day",
  description:
    "Needs scope `usage:read`. Metrics: `requests` (count), `transfer_bytes` (bytes in + out), `storage_bytes` (a level: the bytes stored during the bucket, its highest value; a bucket without a change carries the level before it), `storage_byte_hours` (byte-hours stored in the bucket, what storage is billed by). UTC buckets; `from` is aligned down and `to` up to bucket boundaries; at most 800 buckets.",
  security: bearer,
  middleware: [requireScope("usage:read")] as const,
  request: {
    query: z.object({
      from: isoDate.openapi({ example: "2026-12-07T09:00:00Z" }),
      to: isoDate.openapi({ example: "2026-12-07T11:00:00Z" }),
      granularity: z.enum(["hour", "day"]).default("hour"),
    }),
  },
  responses: {
    200: {
      description: "One series per metric",
      content: { "application/json": { schema: UsageSeries, example: EX.USAGE_SERIES } },
    },
    400: problem("Bad dates, from not before to, or too many buckets (VALIDATION_FAILED)"),
    401: problem("Missing or invalid token (INVALID_TOKEN, EXPIRED_TOKEN)"),
    403: problem("The token lacks usage:read (FORBIDDEN)"),
  },
});

export function registerUsageRoutes(app: OpenAPIHono<CloudEnv>, deps: Deps) {
  app.openapi(usageRoute, async (c) => {
    const q = c.req.valid("query");
    const from = new Date(q.from);
    const to = new Date(q.to);
    if (from >= to) throw new AppError("VALIDATION_FAILED", { detail: "from must be before to" });
    if (bucketCount(from, to, q.granularity) > MAX_BUCKETS) {
      throw new AppError("VALIDATION_FAILED", {
        detail: `At most ${MAX_BUCKETS} buckets per request: narrow the range or use granularity=day`,
      });
    }
    return c.json(await usageSeries(deps.database, ownerOf(c.var.auth), from, to, q.granularity), 200);
  });
}
