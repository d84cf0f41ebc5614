import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AuthEnv, Deps } from "../../ports.ts";
import { verifyArweave } from "../../services/methods/wallet/arweave.service.ts";
import { registerSignedMessageRoute, registerWalletNonceRoute, type WalletMethodDoc } from "./wallet-routes.ts";

/** Arweave login: `GET /auth/arweave/nonce`, `POST /auth/arweave/verify`. */
export function registerArweaveRoutes(app: OpenAPIHono<AuthEnv>, deps: Deps, method: WalletMethodDoc<"arweave">) {
  registerWalletNonceRoute(app, deps, method);
  registerSignedMessageRoute(
    app,
    deps,
    method,
    verifyArweave,
    "The text layout of api.md (`Chain ID: arweave:mainnet`); `publicKey` is the owner modulus n (base64url), `signature` the RSA-PSS (SHA-256, salt 32) signature over SHA-256(message), base64url — what ArConnect's signMessage produces.",
  );
}
