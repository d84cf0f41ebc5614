import type { OpenAPIHono } from "@hono/zod-openapi";
import { loginRules, rateLimit } from "../../middleware/rate-limit.ts";
import type { AuthEnv, Deps } from "../../ports.ts";
import { verifySiws } from "../../services/methods/wallet/siws.service.ts";
import { signedMessageVerifyRoute, type WalletMethodDoc, walletNonceRoute } from "../shared/wallet.ts";

/** Sign-In With Solana: `GET /auth/siws/nonce`, `POST /auth/siws/verify`. */
export function registerSiwsRoutes(app: OpenAPIHono<AuthEnv>, deps: Deps, method: WalletMethodDoc<"siws">) {
  app.use("/auth/siws/*", rateLimit(deps, loginRules(deps)));
  const nonce = walletNonceRoute(deps, method);
  app.openapi(nonce.route, nonce.handler);
  const verify = signedMessageVerifyRoute(
    deps,
    method,
    verifySiws,
    "Phantom's Sign-In With Solana text; `publicKey` base58 (it must be the message's address), `signature` (ed25519) base58 or base64.",
  );
  app.openapi(verify.route, verify.handler);
}
