// Every login method of service-auth, each a module with a manifest (manifest.ts). app.ts mounts
// them in a loop; the tenant method vocabulary of the APIs, the OpenAPI tags of their routes and
// the web-app's list of methods (web-app/src/login-methods.ts, generated) derive from this list.
import type { LoginMethod } from "../services/login/method-ids.ts";
import { arweaveMethod } from "./arweave.ts";
import { emailMethod } from "./email.ts";
import type { LoginMethodManifest } from "./manifest.ts";
import { oauthMethods } from "./oauth.ts";
import { passkeyMethod } from "./passkey.ts";
import { siweMethod } from "./siwe.ts";
import { siwsMethod } from "./siws.ts";
import { smsMethod } from "./sms.ts";

/** The login methods, in the order of the vocabulary (api.md), which is the order they are offered in. */
export const LOGIN_METHOD_MANIFESTS = [
  emailMethod,
  smsMethod,
  siweMethod,
  siwsMethod,
  arweaveMethod,
  passkeyMethod,
  ...oauthMethods,
] as const satisfies readonly LoginMethodManifest[];

type ManifestId = (typeof LOGIN_METHOD_MANIFESTS)[number]["id"];
// Tenancy parses stored tenants against the vocabulary (services/login/method-ids.ts, a leaf
// below every route): each of its ids must have a manifest here. (Each manifest's id is one of
// the vocabulary's by its type.) A missing manifest fails the type check with the id's name.
type WithoutManifest = Exclude<LoginMethod, ManifestId>;
const _everyMethodHasAManifest: [WithoutManifest] extends [never] ? true : WithoutManifest = true;

/** The method ids the manifests serve: the enum of `allowedMethods` in the tenant APIs. */
export const LOGIN_METHOD_IDS = LOGIN_METHOD_MANIFESTS.map((m) => m.id) as [ManifestId, ...ManifestId[]];

/** The manifest of a method id (undefined for an id no manifest serves). */
export const manifestOf = (id: string): LoginMethodManifest | undefined =>
  LOGIN_METHOD_MANIFESTS.find((m) => m.id === id);
