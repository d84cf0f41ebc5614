import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { AuthEnv } from "../../app.ts";
import type { Deps } from "../../deps.ts";
import { loginRules, rateLimit } from "../../middleware/rate-limit.ts";
import { assertMethodAllowed } from "../../services/login-policy.service.ts";
import { issueWalletNonce, type WalletMethod } from "../../services/wallet.service.ts";
import { problem, TenantHeader } from "../schemas.ts";

const NonceSchema = z.object({ nonce: z.string() }).openapi("WalletNonce");

const LABEL: Record<WalletMethod, string> = { siwe: "Ethereum", siws: "Solana", arweave: "Arweave" };

/**
 * `GET /auth/<method>/nonce` and the rate limits of the method's two endpoints: the nonce is the
 * first step of every wallet login (single use, 10 minutes, this tenant's).
 */
export function registerWalletNonceRoute(app: OpenAPIHono<AuthEnv>, deps: Deps, method: WalletMethod) {
  app.use(`/auth/${method}/*`, rateLimit(deps, loginRules(deps)));
  app.openapi(
    createRoute({
      method: "get",
      path: `/auth/${method}/nonce`,
      tags: [`login: ${LABEL[method]}`],
      summary: `A single-use nonce for a ${LABEL[method]} sign-in message (10 minutes)`,
      request: { headers: TenantHeader },
      responses: {
        200: { description: "Nonce", content: { "application/json": { schema: NonceSchema } } },
        403: problem(`${LABEL[method]} login not enabled for this tenant`),
        429: problem("Rate limited"),
      },
    }),
    async (c) => {
      assertMethodAllowed(c.var.tenant, method);
      c.header("Cache-Control", "no-store");
      return c.json({ nonce: await issueWalletNonce(deps, c.var.tenant, method) }, 200);
    },
  );
}
