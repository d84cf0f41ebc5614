import { describe, expect, it } from "vitest";
import { loadCloudConfig } from "../src/config.ts";

describe("service-cloud-api auth configuration", () => {
  it("defaults the issuer to AUTH_URL, the audience to atlas, the client id to the service", () => {
    const config = loadCloudConfig({ AUTH_URL: "https://auth.example/" });
    expect(config.AUTH_ISSUER).toBe("https://auth.example");
    expect(config.JWT_AUDIENCES).toEqual(["atlas"]);
    expect(config.INTROSPECTION_CLIENT_ID).toBe("service-cloud-api");
    expect(config.INTROSPECTION_CLIENT_SECRET).toBeUndefined();
  });

  it("reads an explicit issuer and a comma-separated audience list", () => {
    const config = loadCloudConfig({ AUTH_ISSUER: "https://id.example", JWT_AUDIENCES: " a, b ,,c " });
    expect(config.AUTH_ISSUER).toBe("https://id.example");
    expect(config.JWT_AUDIENCES).toEqual(["a", "b", "c"]);
  });

  it("refuses a short introspection secret, an empty audience list and a non-URL issuer, naming each", () => {
    expect(() => loadCloudConfig({ INTROSPECTION_CLIENT_SECRET: "short" })).toThrow(/INTROSPECTION_CLIENT_SECRET/);
    expect(() => loadCloudConfig({ JWT_AUDIENCES: " , " })).toThrow(/JWT_AUDIENCES/);
    expect(() => loadCloudConfig({ AUTH_ISSUER: "not a url" })).toThrow(/AUTH_ISSUER/);
    expect(() => loadCloudConfig({ INTROSPECTION_CLIENT_SECRET: "x".repeat(32) })).not.toThrow();
  });
});

describe("service-cloud-api blob store configuration", () => {
  it("defaults to the PostgreSQL store", () => {
    expect(loadCloudConfig({}).BLOB_STORE).toBe("postgres");
  });

  it("BLOB_STORE=s3 needs S3_BUCKET and AWS_REGION, both credentials or neither; bad values are named", () => {
    expect(() => loadCloudConfig({ BLOB_STORE: "s3" })).toThrow(/S3_BUCKET: required.*AWS_REGION: required/);
    const s3 = { BLOB_STORE: "s3", S3_BUCKET: "atlas-objects", AWS_REGION: "eu-west-1" };
    expect(() => loadCloudConfig({ ...s3, AWS_ACCESS_KEY_ID: "AKIA1" })).toThrow(/AWS_SECRET_ACCESS_KEY/);
    expect(() => loadCloudConfig({ ...s3, S3_BUCKET: "Not_A_Bucket" })).toThrow(/S3_BUCKET/);
    expect(() => loadCloudConfig({ ...s3, AWS_ENDPOINT_URL: "ftp://x" })).toThrow(/AWS_ENDPOINT_URL/);
    expect(() => loadCloudConfig({ BLOB_STORE: "disk" })).toThrow(/BLOB_STORE/);
    const config = loadCloudConfig({
      ...s3,
      AWS_ACCESS_KEY_ID: "AKIA1",
      AWS_SECRET_ACCESS_KEY: "secret",
      AWS_ENDPOINT_URL: "http://127.0.0.1:9000/",
    });
    expect(config).toMatchObject({
      BLOB_STORE: "s3",
      S3_BUCKET: "atlas-objects",
      AWS_ENDPOINT_URL: "http://127.0.0.1:9000",
    });
  });
});

describe("METRICS_TOKENS", () => {
  it("reads a comma-separated list (none by default) and refuses a token shorter than 32 characters, naming it", () => {
    expect(loadCloudConfig({}).METRICS_TOKENS).toEqual([]);
    const [a, b] = ["a".repeat(32), "b".repeat(40)];
    expect(loadCloudConfig({ METRICS_TOKENS: ` ${a}, ${b} ,` }).METRICS_TOKENS).toEqual([a, b]);
    expect(() => loadCloudConfig({ METRICS_TOKENS: `${a},short` })).toThrow(/METRICS_TOKENS/);
  });
});
