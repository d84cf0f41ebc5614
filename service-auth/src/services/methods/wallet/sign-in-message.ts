/**
 * A strict parser of the CAIP-122 style sign-in text that Sign-In With Solana (Phantom's
 * specification) and Atlas's Arweave login share:
 *
 *   <domain> wants you to sign in with your <Chain> account:
 *   <address>
 *
 *   [<statement>
 *
 *   ]URI: <uri>
 *   Version: <version>
 *   [Chain ID: <chain>]
 *   Nonce: <nonce>
 *   Issued At: <ISO 8601>
 *   [Expiration Time: <ISO 8601>]
 *   [Not Before: <ISO 8601>]
 *   [Request ID: <id>]
 *   [Resources:
 *   - <uri>...]
 *
 * Fields appear once, in this order; anything else (unknown or repeated fields, wrong order,
 * stray whitespace) makes the message malformed. URI, Version, Nonce and Issued At are required
 * here even where the reference format leaves them optional: without them there is no replay
 * or freshness check.
 */
export interface SignInMessage {
  domain: string;
  /** Present when the domain line names one (`https://example.com wants you...`). */
  scheme?: string;
  address: string;
  statement?: string;
  uri: string;
  version: string;
  chainId?: string;
  nonce: string;
  issuedAt: string;
  expirationTime?: string;
  notBefore?: string;
  requestId?: string;
  resources?: string[];
}

const FIELDS = [
  ["URI", "uri"],
  ["Version", "version"],
  ["Chain ID", "chainId"],
  ["Nonce", "nonce"],
  ["Issued At", "issuedAt"],
  ["Expiration Time", "expirationTime"],
  ["Not Before", "notBefore"],
  ["Request ID", "requestId"],
] as const;
const REQUIRED = new Set(["uri", "version", "nonce", "issuedAt"]);
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

export function parseSignInMessage(text: string, chainLabel: "Solana" | "Arweave"): SignInMessage | null {
  const lines = text.split("\n");
  const header = new RegExp(
    `^(?:([a-z][a-z0-9+.-]*)://)?([^\\s/]+) wants you to sign in with your ${chainLabel} account:$`,
  );
  const head = header.exec(lines[0] ?? "");
  const address = lines[1];
  if (!head?.[2] || !address || !/^\S+$/.test(address)) return null;
  let i = 2;
  let statement: string | undefined;
  if (lines[i] !== "") return null;
  i += 1;
  // A statement is one line that is not a field, followed by a blank line.
  if (lines[i] !== undefined && !lines[i]?.startsWith("URI: ") && lines[i + 1] === "") {
    statement = lines[i];
    if (!statement || statement.trim() !== statement) return null;
    i += 2;
  }
  const values: Record<string, string> = {};
  let field = 0;
  for (; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line === "Resources:") break;
    let matched = false;
    while (field < FIELDS.length) {
      const [label, key] = FIELDS[field] as (typeof FIELDS)[number];
      field += 1;
      if (line.startsWith(`${label}: `)) {
        const value = line.slice(label.length + 2);
        if (!value || value.trim() !== value) return null;
        values[key] = value;
        matched = true;
        break;
      }
      if (REQUIRED.has(key)) return null;
    }
    if (!matched) return null;
  }
  let resources: string[] | undefined;
  if (lines[i] === "Resources:") {
    resources = [];
    for (i += 1; i < lines.length; i++) {
      const r = /^- (\S+)$/.exec(lines[i] as string);
      if (!r?.[1]) return null;
      resources.push(r[1]);
    }
  }
  for (const key of REQUIRED) if (!values[key]) return null;
  for (const key of ["issuedAt", "expirationTime", "notBefore"]) {
    const v = values[key];
    if (v !== undefined && !ISO_8601.test(v)) return null;
  }
  const message: SignInMessage = {
    domain: head[2],
    address,
    uri: values.uri as string,
    version: values.version as string,
    nonce: values.nonce as string,
    issuedAt: values.issuedAt as string,
  };
  if (head[1]) message.scheme = head[1];
  if (statement) message.statement = statement;
  for (const key of ["chainId", "expirationTime", "notBefore", "requestId"] as const) {
    const v = values[key];
    if (v !== undefined) message[key] = v;
  }
  if (resources) message.resources = resources;
  return message;
}
