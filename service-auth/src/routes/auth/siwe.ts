import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { Hex } from "viem";
import { loginRules, rateLimit } from "../../middleware/rate-limit.ts";
import type { AuthEnv, Deps } from "../../ports.ts";
import { assertMethodAllowed } from "../../services/login/login-policy.service.ts";
import { requestContext } from "../../services/login/request-context.ts";
import { verifySiwe } from "../../services/siwe.service.ts";
import * as EX from "../examples/login.ts";
import { TOKEN_RESPONSE } from "../examples/tokens.ts";
import { problem, TenantHeader, TokenResponseSchema } from "../schemas.ts";
import { type WalletMethodDoc, walletNonceRoute } from "../shared/wallet.ts";
import { deliverTokens } from "../token-delivery.ts";

const VerifyBody = z.strictObject({
  message: z.string().min(1).max(4096),
  // 65-byte EOA signatures, or longer ERC-1271 / ERC-6492 ones.
  signature: z
    .string()
    .max(20_000)
    .regex(/^0x([0-9a-fA-F]{2})+$/, "0x-prefixed hex"),
});

/** Sign-In with Ethereum: `GET /auth/siwe/nonce`, `POST /auth/siwe/verify` (`method`: src/methods/siwe.ts). */
export function registerSiweRoutes(app: OpenAPIHono<AuthEnv>, deps: Deps, method: WalletMethodDoc<"siwe">) {
  app.use("/auth/siwe/*", rateLimit(deps, loginRules(deps)));
  const nonce = walletNonceRoute(deps, method);
  app.openapi(nonce.route, nonce.handler);
  app.openapi(
    createRoute({
      method: "post",
      path: "/auth/siwe/verify",
      tags: [method.tag],
      summary: "Log in with a signed EIP-4361 message (EOA, ERC-1271 and ERC-6492 wallets)",
      description:
        "The message must be a Sign-In with Ethereum message (EIP-4361) for this site's domain and URI, an allowed chain, a nonce from GET /auth/siwe/nonce and a current issued-at time; signature is 0x-prefixed hex. Plain accounts are checked offline; smart-contract wallets (ERC-1271, and ERC-6492 before deployment) through the chain's RPC. The first sign-in creates the user.",
      request: {
        headers: TenantHeader,
        body: { content: { "application/json": { schema: VerifyBody, example: EX.SIWE_VERIFY } }, required: true },
      },
      responses: {
        200: {
          description: "Logged in",
          content: { "application/json": { schema: TokenResponseSchema, example: TOKEN_RESPONSE } },
        },
        400: problem("Not a well-formed EIP-4361 message"),
        401: problem(
          "Wrong domain, uri, chain or time; bad signature; unknown, used or another tenant's nonce (INVALID_CREDENTIALS)",
        ),
        403: problem(`${method.label} login not enabled for this tenant`),
        429: problem("Rate limited"),
        503: problem("The chain's RPC could not be reached (smart-contract wallets)"),
      },
    }),
    async (c) => {
      const tenant = c.var.tenant;
      assertMethodAllowed(tenant, "siwe");
      const body = c.req.valid("json");
      c.header("Cache-Control", "no-store");
      const tokens = await verifySiwe(deps, {
        tenant,
        message: body.message,
        signature: body.signature as Hex,
        context: requestContext(c),
      });
      return c.json(deliverTokens(c, deps, tokens), 200);
    },
  );
}
