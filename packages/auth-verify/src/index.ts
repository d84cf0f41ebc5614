export type { AuthContext } from "./auth-context.ts";
export { bearerAuth } from "./bearer-auth.ts";
export { type BearerCredentials, parseAuthorization } from "./bearer-token.ts";
export { bearerChallenge, REALM } from "./challenge.ts";
export { checkJwks } from "./jwks-check.ts";
export {
  type BearerAuthOptions,
  type IntrospectionOptions,
  MAX_CLOCK_TOLERANCE_SEC,
  type SigningAlgorithm,
  SUPPORTED_ALGORITHMS,
} from "./options.ts";
export { requireScope } from "./require-scope.ts";
export { PAT_FORMAT, PAT_PREFIX, USER_SCOPES, type UserScope } from "./tokens.ts";
