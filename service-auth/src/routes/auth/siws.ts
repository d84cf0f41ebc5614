import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AuthEnv, Deps } from "../../ports.ts";
import { verifySiws } from "../../services/methods/wallet/siws.service.ts";
import { registerSignedMessageRoute, registerWalletNonceRoute, type WalletMethodDoc } from "./wallet-routes.ts";

/** Sign-In With Solana: `GET /auth/siws/nonce`, `POST /auth/siws/verify`. */
export function registerSiwsRoutes(app: OpenAPIHono<AuthEnv>, deps: Deps, method: WalletMethodDoc<"siws">) {
  registerWalletNonceRoute(app, deps, method);
  registerSignedMessageRoute(
    app,
    deps,
    method,
    verifySiws,
    "Phantom's Sign-In With Solana text; `publicKey` base58 (it must be the message's address), `signature` (ed25519) base58 or base64.",
  );
}
