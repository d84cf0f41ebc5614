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
