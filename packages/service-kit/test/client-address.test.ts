import { describe, expect, it } from "vitest";
import { addressBucket, addressRange, clientAddress, proxyBlockList } from "../src/client-address.ts";

describe("client addresses for rate limits", () => {
  it("keys IPv6 by /64 in every spelling, IPv4 (and IPv4-mapped) as is", () => {
    expect(addressBucket("2001:db8:aa:1::1")).toBe("2001:db8:aa:1::/64");
    expect(addressBucket("2001:0db8:00aa:0001:ffff:ffff:ffff:ffff")).toBe("2001:db8:aa:1::/64");
    expect(addressBucket("2001:db8:aa:1:0:0:1.2.3.4")).toBe("2001:db8:aa:1::/64");
    expect(addressBucket("fe80::1%eth0")).toBe("fe80:0:0:0::/64");
    expect(addressBucket("::1")).toBe("0:0:0:0::/64");
    expect(addressBucket("198.51.100.7")).toBe("198.51.100.7");
    expect(addressBucket("::ffff:198.51.100.7")).toBe("198.51.100.7");
    expect(addressBucket("unknown")).toBe("unknown");
  });

  it("groups networks as IPv4 /24 and IPv6 /48", () => {
    expect(addressRange("198.51.100.7")).toBe("198.51.100.0/24");
    expect(addressRange("::ffff:198.51.100.7")).toBe("198.51.100.0/24");
    expect(addressRange("2001:db8:aa:1::1")).toBe("2001:db8:aa::/48");
    expect(addressRange("2001:db8:aa:ffff::1")).toBe("2001:db8:aa::/48");
    expect(addressRange("unknown")).toBe("unknown");
  });

  it("believes X-Forwarded-For only from trusted proxies, right-most untrusted hop", () => {
    const trusted = proxyBlockList(["10.0.0.0/8", "fd00::/8"]);
    const env = (ip: string) => ({ incoming: { socket: { remoteAddress: ip } } });
    expect(clientAddress(env("203.0.113.9"), "1.2.3.4", trusted)).toBe("203.0.113.9");
    expect(clientAddress(env("10.0.0.5"), "6.6.6.6, 1.2.3.4, 10.1.1.1", trusted)).toBe("1.2.3.4");
    expect(clientAddress(env("::ffff:10.0.0.5"), "2001:db8::7", trusted)).toBe("2001:db8::7");
    expect(clientAddress(undefined, "1.2.3.4", trusted)).toBe("unknown");
    expect(() => proxyBlockList(["not-an-ip"])).toThrow(/invalid trusted proxy/);
  });
});
