// @atlas/client: typed clients of service-auth and service-cloud-api. The types come from the
// services' OpenAPI documents (generated/, `pnpm --filter @atlas/client generate`); requests
// go through openapi-fetch, so a path, a parameter or a body the contract does not know fails
// to compile. How failures are reported stays with each caller: it passes a `fetch` transport
// that throws its own error type for non-2xx answers (the web-app's ApiError, the CLI's CliError).
import createClient, { type Client, type Middleware } from "openapi-fetch";
import type { components as AuthComponents, paths as AuthPaths } from "../generated/service-auth.ts";
import type { components as CloudComponents, paths as CloudPaths } from "../generated/service-cloud-api.ts";

export { PAT_FORMAT, PAT_PREFIX, USER_SCOPES, type UserScope } from "@atlas/auth-verify/tokens";
export type { AuthPaths, CloudPaths, Middleware };

export type ServiceAuthClient = Client<AuthPaths>;
export type CloudApiClient = Client<CloudPaths>;

/** A named schema of service-auth's document, e.g. `AuthSchema<"Me">`. */
export type AuthSchema<N extends keyof AuthComponents["schemas"]> = AuthComponents["schemas"][N];
/** A named schema of service-cloud-api's document, e.g. `CloudSchema<"Invoice">`. */
export type CloudSchema<N extends keyof CloudComponents["schemas"]> = CloudComponents["schemas"][N];

type Method = "get" | "put" | "post" | "delete" | "patch";
type JsonContent<R> = R extends { content: { "application/json": infer B } } ? B : never;
type Success<Responses> = {
  [S in keyof Responses]: S extends 200 | 201 | 202 ? JsonContent<Responses[S]> : never;
}[keyof Responses];

/** The JSON body of an operation's 2xx answer, e.g. `AuthAnswer<"/billing/profile", "get">`. */
export type AuthAnswer<P extends keyof AuthPaths, M extends Method> = AuthPaths[P][M] extends { responses: infer R }
  ? Success<R>
  : never;
/** The JSON body of an operation's 2xx answer, e.g. `CloudAnswer<"/v1/usage", "get">`. */
export type CloudAnswer<P extends keyof CloudPaths, M extends Method> = CloudPaths[P][M] extends { responses: infer R }
  ? Success<R>
  : never;
/** The JSON request body of an operation, e.g. `AuthBody<"/auth/pats", "post">`. */
export type AuthBody<P extends keyof AuthPaths, M extends Method> = AuthPaths[P][M] extends {
  requestBody?: infer B;
}
  ? JsonContent<NonNullable<B>>
  : never;

/** How a client reaches its service. */
export interface ClientOptions {
  /** The service's base URL, without a trailing slash. */
  baseUrl: string;
  /**
   * Sends one request. A transport that throws on non-2xx answers (and on network failures)
   * makes every call resolve with its data only; `dataOf` relies on that.
   */
  fetch?: (request: Request) => Promise<Response>;
  /** Headers for every request (the tenant, a client name). */
  headers?: Record<string, string>;
  /** `include` sends service-auth's cookies (refresh token, trusted device) from browsers. */
  credentials?: RequestInit["credentials"];
  /** openapi-fetch middleware, run around every request (e.g. checking answers). */
  middleware?: Middleware[];
}

function create<Paths extends {}>(o: ClientOptions): Client<Paths> {
  const client = createClient<Paths>({
    baseUrl: o.baseUrl,
    ...(o.fetch ? { fetch: o.fetch } : {}),
    ...(o.headers ? { headers: o.headers } : {}),
    ...(o.credentials ? { credentials: o.credentials } : {}),
  });
  client.use(...(o.middleware ?? []));
  return client;
}

/** A client of service-auth. */
export function createServiceAuthClient(o: ClientOptions): ServiceAuthClient {
  return create<AuthPaths>(o);
}

/** A client of service-cloud-api. */
export function createCloudApiClient(o: ClientOptions): CloudApiClient {
  return create<CloudPaths>(o);
}

/**
 * The data of a finished call. With a transport that throws on failure only 2xx answers get
 * here; an error answer still arriving means the transport let it through, which is a bug.
 *
 * @example
 * const me = dataOf(await auth.GET("/auth/me"));
 */
export function dataOf<D>(result: { data?: D; error?: unknown; response: Response }): D {
  if (result.error !== undefined || !result.response.ok) {
    throw new Error(`${result.response.status} answer reached dataOf: the transport must throw on failures`);
  }
  return result.data as D;
}
