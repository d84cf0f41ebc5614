/**
 * AWS Signature Version 4 verification as S3 does it for header-authenticated requests.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";

export interface SignedRequest {
  method: string;
  /** The raw request target: path and query exactly as sent. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
}

export type SigV4Result =
  | { ok: true; accessKeyId: string; payloadHash: string }
  | { ok: false; status: number; code: string; message: string };

const fail = (status: number, code: string, message: string): SigV4Result => ({ ok: false, status, code, message });

// RFC 3986 unreserved characters stay, everything else is %XX (uppercase).
// https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html#create-canonical-request
const uriEncode = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** Canonical query string: each name and value URI-encoded, sorted by name then value. */
function canonicalQuery(query: string): string {
  if (!query) return "";
  return query
    .split("&")
    .filter(Boolean)
    .map((pair) => {
      const i = pair.indexOf("=");
      const name = decodeURIComponent((i < 0 ? pair : pair.slice(0, i)).replace(/\+/g, "%20"));
      const value = i < 0 ? "" : decodeURIComponent(pair.slice(i + 1).replace(/\+/g, "%20"));
      return [uriEncode(name), uriEncode(value)] as const;
    })
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([n, v]) => `${n}=${v}`)
    .join("&");
}

const hmac = (key: Buffer | string, data: string) => createHmac("sha256", key).update(data).digest();
const sha256hex = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");

/** `20130524T000000Z` → epoch ms. */
function parseAmzDate(v: string): number | null {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(v);
  if (!m) return null;
  const [y, mo, d, h, mi, sec] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  return Date.UTC(y, mo - 1, d, h, mi, sec);
}

/**
 * Checks the request's Authorization header against `secrets` (access key id → secret key) for
 * service `s3` in `region`, at time `now`. The payload hash is the x-amz-content-sha256 header
 * (the caller checks it against the body).
 */
export function verifySigV4(
  req: SignedRequest,
  secrets: Map<string, string>,
  region: string,
  now: number,
): SigV4Result {
  const header = (name: string) => {
    const v = req.headers[name];
    return Array.isArray(v) ? v.join(",") : v;
  };
  const auth = header("authorization");
  // Anonymous requests to a private bucket: 403 AccessDenied.
  if (!auth) return fail(403, "AccessDenied", "Access Denied");
  const m =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/.exec(
      auth,
    );
  if (!m) return fail(400, "AuthorizationHeaderMalformed", "The authorization header is malformed");
  const [accessKeyId, day, credRegion, service, signedHeaders, signature] = m.slice(1) as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const secret = secrets.get(accessKeyId);
  // https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html: InvalidAccessKeyId 403.
  if (secret === undefined) {
    return fail(403, "InvalidAccessKeyId", "The AWS access key ID you provided does not exist in our records.");
  }
  if (service !== "s3" || credRegion !== region) {
    return fail(
      400,
      "AuthorizationHeaderMalformed",
      `The authorization header is malformed; the region '${credRegion}' is wrong; expecting '${region}'`,
    );
  }
  const amzDate = header("x-amz-date");
  const at = amzDate ? parseAmzDate(amzDate) : null;
  if (!amzDate || at === null || amzDate.slice(0, 8) !== day) {
    return fail(403, "AccessDenied", "AWS authentication requires a valid Date or x-amz-date header");
  }
  // More than 15 minutes off the server's clock: RequestTimeTooSkewed (ErrorResponses.html).
  if (Math.abs(now - at) > 15 * 60_000) {
    return fail(
      403,
      "RequestTimeTooSkewed",
      "The difference between the request time and the current time is too large.",
    );
  }
  // x-amz-content-sha256 is required on every S3 SigV4 request (sig-v4-header-based-auth.html).
  const payloadHash = header("x-amz-content-sha256");
  if (!payloadHash)
    return fail(400, "InvalidRequest", "Missing required header for this request: x-amz-content-sha256");
  const names = signedHeaders.split(";");
  // host and every x-amz-* header sent must be signed.
  const sent = Object.keys(req.headers).filter((h) => h === "host" || h.startsWith("x-amz-"));
  if (!names.includes("host") || sent.some((h) => !names.includes(h))) {
    return fail(403, "AccessDenied", "There were headers present in the request which were not signed");
  }
  const canonicalHeaders = names.map((n) => `${n}:${(header(n) ?? "").trim().replace(/\s+/g, " ")}\n`).join("");
  const q = req.url.indexOf("?");
  // S3 signs the path as sent (encoded once, not normalized).
  const path = q < 0 ? req.url : req.url.slice(0, q);
  const query = q < 0 ? "" : req.url.slice(q + 1);
  const canonicalRequest = [req.method, path, canonicalQuery(query), canonicalHeaders, signedHeaders, payloadHash].join(
    "\n",
  );
  const scope = `${day}/${region}/s3/aws4_request`;
  const stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256hex(canonicalRequest)].join("\n");
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, day), region), "s3"), "aws4_request");
  const expected = hmac(key, stringToSign);
  const given = Buffer.from(signature, "hex");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return fail(
      403,
      "SignatureDoesNotMatch",
      "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
    );
  }
  return { ok: true, accessKeyId, payloadHash };
}
