import { describe, expect, it } from "vitest";
import { brandStyle } from "./brand.tsx";
import { parseInteraction, safeImageUrl } from "./interaction-api.ts";
import { scopeLines } from "./scopes.ts";

const VIEW = {
  uid: "abc123",
  prompt: "consent",
  client: {
    clientId: "c1",
    name: "Notes",
    logoUri: "javascript:alert(1)",
    redirectHost: "notes.example",
    firstParty: false,
  },
  scopes: ["email", "openid", 7],
  requireMfa: true,
  maxAge: 60,
  loginHint: null,
  tenant: {
    slug: "acme",
    name: "Acme",
    brand: { name: null, logoUrl: "https://cdn.acme.example/l.png", primaryColor: "red", supportEmail: "a@b.c" },
  },
};

describe("the hosted pages' reading of an interaction", () => {
  it("keeps what it shows and drops what could hurt (script URLs, colours that aren't #rrggbb)", () => {
    const i = parseInteraction(VIEW);
    expect(i.client.logoUri).toBeNull();
    expect(i.tenant.brand.logoUrl).toBe("https://cdn.acme.example/l.png");
    expect(i.tenant.brand.primaryColor).toBeNull();
    expect(i.scopes).toEqual(["email", "openid"]);
    expect(i).toMatchObject({ prompt: "consent", requireMfa: true, maxAge: 60 });
  });

  it("refuses a document without uid, client, tenant or a known prompt", () => {
    expect(() => parseInteraction({ ...VIEW, prompt: "select_account" })).toThrow(TypeError);
    expect(() => parseInteraction({ ...VIEW, client: {} })).toThrow(TypeError);
    expect(() => parseInteraction(null)).toThrow(TypeError);
  });

  it("shows images over https, or http on this machine only", () => {
    expect(safeImageUrl("http://localhost:3000/logo.svg")).toBe("http://localhost:3000/logo.svg");
    expect(safeImageUrl("http://evil.example/logo.svg")).toBeNull();
    expect(safeImageUrl("data:image/svg+xml,<svg/>")).toBeNull();
  });

  it("puts the brand colour on buttons with whichever of black or white text reads better", () => {
    expect(brandStyle("#ffd23f")).toEqual({ "--brand": "#ffd23f", "--brand-text": "#000000" });
    expect(brandStyle("#0f766e")).toEqual({ "--brand": "#0f766e", "--brand-text": "#ffffff" });
    expect(brandStyle(null)).toBeUndefined();
  });

  it("words each scope, openid first, and names unknown ones", () => {
    expect(scopeLines(["email", "openid", "email", "x:y"]).map((l) => l.text)).toEqual([
      "Know who you are (your account ID)",
      "See your e-mail address",
      'Use the "x:y" permission',
    ]);
  });
});
