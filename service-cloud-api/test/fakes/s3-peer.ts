/**
 * A local S3-compatible server for tests: the operations the AWS SDK's S3 client and
 * @aws-sdk/lib-storage use for blobs, path-style (`/<bucket>/<key>`), every request verified
 * with Signature V4 (./s3-sigv4.ts). Objects live in this process's memory: it stands in for
 * the provider, not for our database. Each rule cites the S3 API reference.
 */
import { createHash, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { verifySigV4 } from "./s3-sigv4.ts";

interface Stored {
  body: Buffer;
  etag: string;
  contentType: string;
  lastModified: Date;
}

interface MultipartUpload {
  bucket: string;
  key: string;
  parts: Map<number, { body: Buffer; etag: string }>;
}

export interface S3Peer {
  url: string;
  region: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** The bucket's objects by key. */
  objects: Map<string, Stored>;
  uploads: Map<string, MultipartUpload>;
  /** Operation names in order (PutObject, UploadPart, …), and refused requests as `code`. */
  log: string[];
  stop(): Promise<void>;
}

const MIN_PART_BYTES = 5 * 1024 * 1024; // https://docs.aws.amazon.com/AmazonS3/latest/userguide/qfacts.html

const xmlEscape = (s: string) =>
  s.replace(/[<>&'"]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", "'": "&apos;", '"': "&quot;" })[c] ?? c);

const md5 = (b: Buffer) => createHash("md5").update(b).digest("hex");

class S3Error extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** Starts the peer on 127.0.0.1 with one bucket and one access key. */
export async function startS3Peer(options: { bucket?: string; region?: string } = {}): Promise<S3Peer> {
  const bucket = options.bucket ?? "atlas-test-blobs";
  const region = options.region ?? "us-east-1";
  const accessKeyId = `AKIA${randomBytes(8).toString("hex").toUpperCase()}`;
  const secretAccessKey = randomBytes(30).toString("base64");
  const secrets = new Map([[accessKeyId, secretAccessKey]]);
  const objects = new Map<string, Stored>();
  const uploads = new Map<string, MultipartUpload>();
  const log: string[] = [];

  // https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#RESTErrorResponses
  const sendError = (res: ServerResponse, method: string, e: S3Error, requestId: string) => {
    log.push(e.code);
    const body =
      method === "HEAD"
        ? ""
        : `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${e.code}</Code><Message>${xmlEscape(e.message)}</Message>${Object.entries(
            e.extra,
          )
            .map(([k, v]) => `<${k}>${xmlEscape(v)}</${k}>`)
            .join("")}<RequestId>${requestId}</RequestId></Error>`;
    res.writeHead(e.status, { "content-type": "application/xml", "x-amz-request-id": requestId });
    res.end(body);
  };

  const readBody = (req: IncomingMessage) =>
    new Promise<Buffer>((resolve, reject) => {
      const parts: Buffer[] = [];
      req.on("data", (c: Buffer) => parts.push(c));
      req.on("end", () => resolve(Buffer.concat(parts)));
      req.on("error", reject);
    });

  async function handle(req: IncomingMessage, res: ServerResponse, requestId: string) {
    const method = req.method ?? "GET";
    const rawUrl = req.url ?? "/";
    const auth = verifySigV4({ method, url: rawUrl, headers: req.headers }, secrets, region, Date.now());
    const body = await readBody(req);
    if (!auth.ok) throw new S3Error(auth.status, auth.code, auth.message);
    // The payload hash that was signed must be the body's (sig-v4-header-based-auth.html):
    // XAmzContentSHA256Mismatch otherwise. Streaming (aws-chunked) uploads are not spoken here.
    if (auth.payloadHash.startsWith("STREAMING-")) {
      throw new S3Error(501, "NotImplemented", "aws-chunked uploads are not implemented by this peer");
    }
    if (auth.payloadHash !== "UNSIGNED-PAYLOAD") {
      const actual = createHash("sha256").update(body).digest("hex");
      if (actual !== auth.payloadHash) {
        throw new S3Error(
          400,
          "XAmzContentSHA256Mismatch",
          "The provided 'x-amz-content-sha256' header does not match what was computed.",
          {
            ClientComputedContentSHA256: auth.payloadHash,
            S3ComputedContentSHA256: actual,
          },
        );
      }
    }
    const url = new URL(rawUrl, "http://peer");
    const [, bucketName = "", ...rest] = url.pathname.split("/");
    const key = decodeURIComponent(rest.join("/"));
    const q = url.searchParams;
    if (bucketName !== bucket) {
      throw new S3Error(404, "NoSuchBucket", "The specified bucket does not exist", { BucketName: bucketName });
    }
    if (!key) throw new S3Error(501, "NotImplemented", "Bucket operations are not implemented by this peer");
    const uploadOf = (id: string | null) => {
      const upload = id ? uploads.get(id) : undefined;
      // https://docs.aws.amazon.com/AmazonS3/latest/API/API_UploadPart.html: NoSuchUpload 404.
      if (!upload || upload.key !== key) {
        throw new S3Error(
          404,
          "NoSuchUpload",
          "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.",
          { UploadId: id ?? "" },
        );
      }
      return upload;
    };

    if (method === "POST" && q.has("uploads")) {
      // https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateMultipartUpload.html
      log.push("CreateMultipartUpload");
      const id = randomBytes(16).toString("hex");
      uploads.set(id, { bucket, key, parts: new Map() });
      return xml(
        res,
        `<InitiateMultipartUploadResult><Bucket>${bucket}</Bucket><Key>${xmlEscape(key)}</Key><UploadId>${id}</UploadId></InitiateMultipartUploadResult>`,
      );
    }
    if (method === "PUT" && q.has("uploadId")) {
      // https://docs.aws.amazon.com/AmazonS3/latest/API/API_UploadPart.html: part numbers 1..10000.
      log.push("UploadPart");
      const upload = uploadOf(q.get("uploadId"));
      const n = Number(q.get("partNumber"));
      if (!Number.isInteger(n) || n < 1 || n > 10_000) {
        throw new S3Error(400, "InvalidArgument", "Part number must be an integer between 1 and 10000, inclusive");
      }
      const etag = `"${md5(body)}"`;
      upload.parts.set(n, { body, etag });
      res.writeHead(200, { etag, "x-amz-request-id": requestId });
      return res.end();
    }
    if (method === "POST" && q.has("uploadId")) {
      // https://docs.aws.amazon.com/AmazonS3/latest/API/API_CompleteMultipartUpload.html
      log.push("CompleteMultipartUpload");
      const id = q.get("uploadId");
      const upload = uploadOf(id);
      const listed = [...body.toString("utf8").matchAll(/<Part>([\s\S]*?)<\/Part>/g)].map((p) => ({
        n: Number(/<PartNumber>(\d+)<\/PartNumber>/.exec(p[1] ?? "")?.[1]),
        etag: (/<ETag>([^<]*)<\/ETag>/.exec(p[1] ?? "")?.[1] ?? "").replace(/&quot;/g, '"'),
      }));
      if (listed.length === 0)
        throw new S3Error(
          400,
          "MalformedXML",
          "The XML you provided was not well-formed or did not validate against our published schema.",
        );
      // Parts must be listed in ascending order (InvalidPartOrder), each uploaded with that ETag
      // (InvalidPart), each but the last at least 5 MiB (EntityTooSmall).
      for (let i = 0; i < listed.length; i++) {
        const p = listed[i] as { n: number; etag: string };
        if (i > 0 && p.n <= (listed[i - 1] as { n: number }).n) {
          throw new S3Error(
            400,
            "InvalidPartOrder",
            "The list of parts was not in ascending order. The parts list must be specified in order by part number.",
          );
        }
        const part = upload.parts.get(p.n);
        if (!part || part.etag !== (p.etag.startsWith('"') ? p.etag : `"${p.etag}"`)) {
          throw new S3Error(400, "InvalidPart", "One or more of the specified parts could not be found.");
        }
        if (i < listed.length - 1 && part.body.length < MIN_PART_BYTES) {
          throw new S3Error(
            400,
            "EntityTooSmall",
            "Your proposed upload is smaller than the minimum allowed object size.",
          );
        }
      }
      const parts = listed.map((p) => upload.parts.get(p.n)?.body as Buffer);
      const etag = `"${md5(Buffer.concat(listed.map((p) => Buffer.from(p.etag.replace(/"/g, ""), "hex"))))}-${parts.length}"`;
      objects.set(key, {
        body: Buffer.concat(parts),
        etag,
        contentType: "binary/octet-stream",
        lastModified: new Date(),
      });
      uploads.delete(id as string);
      return xml(
        res,
        `<CompleteMultipartUploadResult><Location>${xmlEscape(`/${bucket}/${key}`)}</Location><Bucket>${bucket}</Bucket><Key>${xmlEscape(key)}</Key><ETag>${xmlEscape(etag)}</ETag></CompleteMultipartUploadResult>`,
      );
    }
    if (method === "DELETE" && q.has("uploadId")) {
      // https://docs.aws.amazon.com/AmazonS3/latest/API/API_AbortMultipartUpload.html: 204.
      log.push("AbortMultipartUpload");
      uploadOf(q.get("uploadId"));
      uploads.delete(q.get("uploadId") as string);
      res.writeHead(204, { "x-amz-request-id": requestId });
      return res.end();
    }
    if ([...q.keys()].some((k) => k !== "x-id")) {
      throw new S3Error(
        501,
        "NotImplemented",
        "A query parameter you provided implies functionality that is not implemented",
        {},
      );
    }
    if (method === "PUT") {
      // https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html: ETag is the MD5 (single part).
      log.push("PutObject");
      if (req.headers["content-length"] === undefined) {
        throw new S3Error(411, "MissingContentLength", "You must provide the Content-Length HTTP header.");
      }
      if (body.length > 5 * 1024 ** 3)
        throw new S3Error(400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed object size.");
      const etag = `"${md5(body)}"`;
      objects.set(key, {
        body,
        etag,
        contentType: req.headers["content-type"] ?? "binary/octet-stream",
        lastModified: new Date(),
      });
      res.writeHead(200, { etag, "x-amz-request-id": requestId });
      return res.end();
    }
    if (method === "GET" || method === "HEAD") {
      // https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html (NoSuchKey 404);
      // HeadObject answers the same headers without a body.
      log.push(method === "GET" ? "GetObject" : "HeadObject");
      const o = objects.get(key);
      if (!o) throw new S3Error(404, "NoSuchKey", "The specified key does not exist.", { Key: key });
      if (req.headers.range)
        throw new S3Error(501, "NotImplemented", "Range requests are not implemented by this peer");
      res.writeHead(200, {
        "content-type": o.contentType,
        "content-length": String(o.body.length),
        etag: o.etag,
        "last-modified": o.lastModified.toUTCString(),
        "accept-ranges": "bytes",
        "x-amz-request-id": requestId,
      });
      return res.end(method === "GET" ? o.body : undefined);
    }
    if (method === "DELETE") {
      // https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObject.html: 204 whether or not the key existed.
      log.push("DeleteObject");
      objects.delete(key);
      res.writeHead(204, { "x-amz-request-id": requestId });
      return res.end();
    }
    throw new S3Error(405, "MethodNotAllowed", "The specified method is not allowed against this resource.");
  }

  const xml = (res: ServerResponse, inner: string) => {
    res.writeHead(200, { "content-type": "application/xml" });
    res.end(`<?xml version="1.0" encoding="UTF-8"?>\n${inner}`);
  };

  const server: Server = createServer((req, res) => {
    const requestId = randomBytes(8).toString("hex").toUpperCase();
    handle(req, res, requestId).catch((e: unknown) => {
      const err =
        e instanceof S3Error
          ? e
          : new S3Error(500, "InternalError", "We encountered an internal error. Please try again.");
      if (!res.headersSent) sendError(res, req.method ?? "GET", err, requestId);
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    region,
    bucket,
    accessKeyId,
    secretAccessKey,
    objects,
    uploads,
    log,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
