// The two endpoints every wallet login shares, as route definitions with their handlers: the
// wallet route files (siwe.ts, siws.ts, arweave.ts) register them. Registers nothing itself:
// routes never import other routes.
import { createRoute, type RouteHandler, z } from "@hono/zod-openapi";
import type { MethodDoc } from "../../methods/manifest.ts";
import type { AuthEnv, Deps } from "../../ports.ts";
import { assertMethodAllowed } from "../../services/login/login-policy.service.ts";
import { type RequestContext, requestContext } from "../../services/login/request-context.ts";
import { issueWalletNonce, type WalletMethod } from "../../services/methods/wallet/wallet.service.ts";
import type { ResolvedTenant } from "../../services/tenancy/tenant.service.ts";
import type { TokenResponse } from "../../services/tokens/session.service.ts";
import * as EX from "../examples/login.ts";
import { TOKEN_RESPONSE } from "../examples/tokens.ts";
import { problem, TenantHeader, TokenResponseSchema } from "../schemas.ts";
import { deliverTokens } from "../token-delivery.ts";

const NonceSchema = z.object({ nonce: z.string() }).openapi("WalletNonce");

/** A wallet method's id and documentation, from its manifest (src/methods/). */
export type WalletMethodDoc<M extends WalletMethod = WalletMethod> = MethodDoc & { id: M };

const nonceRoute = (method: WalletMethodDoc) =>
  createRoute({
    method: "get",
    path: `/auth/${method.id}/nonce`,
    tags: [method.tag],
    summary: `A single-use nonce for the ${method.label} sign-in message (10 minutes)`,
    description: `The first step of a ${method.label} sign-in: put this nonce in the message the wallet signs, then send both to POST /auth/${method.id}/verify within 10 minutes. Each nonce works once, for this tenant only.`,
    request: { headers: TenantHeader },
    responses: {
      200: { description: "Nonce", content: { "application/json": { schema: NonceSchema, example: EX.WALLET_NONCE } } },
      403: problem(`${method.label} login not enabled for this tenant`),
      429: problem("Rate limited"),
    },
  });

/**
 * `GET /auth/<method>/nonce`: the first step of every wallet login (single use, 10 minutes, this
 * tenant's). The method's routes are rate limited with the login rules.
 */
export function walletNonceRoute(deps: Deps, method: WalletMethodDoc) {
  const route = nonceRoute(method);
  const handler: RouteHandler<typeof route, AuthEnv> = async (c) => {
    assertMethodAllowed(c.var.tenant, method.id);
    c.header("Cache-Control", "no-store");
    return c.json({ nonce: await issueWalletNonce(deps, c.var.tenant, method.id) }, 200);
  };
  return { route, handler };
}

/** `{ message, signature, publicKey }`: the body of the Solana and Arweave verify steps. */
const SignedMessageBody = z.strictObject({
  message: z.string().min(1).max(4096),
  signature: z.string().min(1).max(1024),
  publicKey: z.string().min(1).max(1024),
});

const signedMessageRoute = (method: WalletMethodDoc<"siws" | "arweave">, description: string) =>
  createRoute({
    method: "post",
    path: `/auth/${method.id}/verify`,
    tags: [method.tag],
    summary: `Log in with a signed ${method.label} sign-in message`,
    description,
    request: {
      headers: TenantHeader,
      body: {
        content: { "application/json": { schema: SignedMessageBody, example: EX.SIGNED_MESSAGE[method.id] } },
        required: true,
      },
    },
    responses: {
      200: {
        description: "Logged in",
        content: { "application/json": { schema: TokenResponseSchema, example: TOKEN_RESPONSE } },
      },
      400: problem("Malformed message, key or signature encoding"),
      401: problem(
        "Wrong domain, uri, chain or time; bad signature; unknown, used or another tenant's nonce (INVALID_CREDENTIALS)",
      ),
      403: problem(`${method.label} login not enabled for this tenant`),
      429: problem("Rate limited"),
    },
  });

/** `POST /auth/<method>/verify` for the wallets that send their public key with the message. */
export function signedMessageVerifyRoute(
  deps: Deps,
  method: WalletMethodDoc<"siws" | "arweave">,
  verify: (
    deps: Deps,
    input: {
      tenant: ResolvedTenant;
      message: string;
      signature: string;
      publicKey: string;
      context: RequestContext;
    },
  ) => Promise<TokenResponse>,
  description: string,
) {
  const route = signedMessageRoute(method, description);
  const handler: RouteHandler<typeof route, AuthEnv> = async (c) => {
    const tenant = c.var.tenant;
    assertMethodAllowed(tenant, method.id);
    c.header("Cache-Control", "no-store");
    const tokens = await verify(deps, { tenant, ...c.req.valid("json"), context: requestContext(c) });
    return c.json(deliverTokens(c, deps, tokens), 200);
  };
  return { route, handler };
}
