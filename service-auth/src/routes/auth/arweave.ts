import type { OpenAPIHono } from "@hono/zod-openapi";
import { loginRules, rateLimit } from "../../middleware/rate-limit.ts";
import type { AuthEnv, Deps } from "../../ports.ts";
import { verifyArweave } from "../../services/methods/wallet/arweave.service.ts";
import { signedMessageVerifyRoute, type WalletMethodDoc, walletNonceRoute } from "../shared/wallet.ts";

/** Arweave login: `GET /auth/arweave/nonce`, `POST /auth/arweave/verify`. */
export function registerArweaveRoutes(app: OpenAPIHono<AuthEnv>, deps: Deps, method: WalletMethodDoc<"arweave">) {
  app.use("/auth/arweave/*", rateLimit(deps, loginRules(deps)));
  const nonce = walletNonceRoute(deps, method);
  app.openapi(nonce.route, nonce.handler);
  const verify = signedMessageVerifyRoute(
    deps,
    method,
    verifyArweave,
    "The text layout of api.md (`Chain ID: arweave:mainnet`); `publicKey` is the owner modulus n (base64url), `signature` the RSA-PSS (SHA-256, salt 32) signature over SHA-256(message), base64url — what ArConnect's signMessage produces.",
  );
  app.openapi(verify.route, verify.handler);
}
