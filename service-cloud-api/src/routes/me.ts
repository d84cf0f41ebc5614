import { requireScope } from "@atlas/auth-verify";
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { CloudEnv } from "../ports.ts";
import { problem } from "./common.ts";
import * as EX from "./examples.ts";

const Me = z
  .object({
    sub: z.string().openapi({ description: "User id" }),
    tid: z.string().openapi({ description: "Tenant id" }),
    scopes: z.array(z.string()).openapi({ description: "Scopes granted to this token" }),
    method: z.enum(["jwt", "pat"]).openapi({ description: "`jwt`: access token; `pat`: personal access token" }),
    sessionId: z.string().optional().openapi({ description: "Login session (access tokens only)" }),
  })
  .openapi("Me");

export const meRoute = createRoute({
  method: "get",
  path: "/v1/me",
  tags: ["account"],
  summary: "The caller: user, tenant, scopes and how they authenticated",
  description: "Needs scope `profile:read`.",
  security: [{ bearer: [] }],
  middleware: [requireScope("profile:read")] as const,
  responses: {
    200: { description: "The caller", content: { "application/json": { schema: Me, example: EX.ME } } },
    401: problem("Missing, invalid (INVALID_TOKEN) or expired (EXPIRED_TOKEN) token"),
    403: problem("The token lacks scope profile:read (FORBIDDEN)"),
  },
});

/** `GET /v1/me`: who the bearer token says the caller is (behind the app's bearer auth). */
export function registerMeRoutes(app: OpenAPIHono<CloudEnv>) {
  app.openapi(meRoute, (c) => {
    const { sub, tid, scopes, method, sessionId } = c.get("auth");
    return c.json({ sub, tid, scopes, method, ...(sessionId ? { sessionId } : {}) }, 200);
  });
}
