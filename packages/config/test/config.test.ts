import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  booleanFlag,
  ConfigError,
  describeEnv,
  httpUrl,
  originList,
  parseEnv,
  port,
  postgresUrl,
} from "../src/index.ts";

const schema = z.object({
  PORT: port(4000).describe("HTTP port"),
  DATABASE_URL: postgresUrl().describe("database"),
  PUBLIC_URL: httpUrl().prefault("http://localhost:4000/"),
  ORIGINS: originList("http://localhost:3000"),
  FLAG: booleanFlag(false),
});

describe("parseEnv", () => {
  it("applies defaults and coerces values", () => {
    const cfg = parseEnv(schema, {
      DATABASE_URL: "postgres://u@h/db",
      FLAG: "1",
      ORIGINS: "https://a.example, http://b:8080/x",
    });
    expect(cfg).toEqual({
      PORT: 4000,
      DATABASE_URL: "postgres://u@h/db",
      PUBLIC_URL: "http://localhost:4000",
      ORIGINS: ["https://a.example", "http://b:8080"],
      FLAG: true,
    });
  });

  it("names every bad variable and never echoes its value", () => {
    const secret = "mysql://root:hunter2@h/db";
    const error = (() => {
      try {
        parseEnv(schema, { PORT: "99999", DATABASE_URL: secret });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    const ce = error as ConfigError;
    expect(ce.issues.map((i) => i.variable).sort()).toEqual(["DATABASE_URL", "PORT"]);
    expect(ce.message).toContain("PORT");
    expect(ce.message).toContain("DATABASE_URL");
    expect(ce.message).not.toContain("hunter2");
  });

  it("reports a missing required variable by name", () => {
    expect(() => parseEnv(schema, {})).toThrow(/DATABASE_URL/);
  });

  it("treats empty strings as unset", () => {
    expect(parseEnv(schema, { PORT: "", DATABASE_URL: "postgresql://h/d" }).PORT).toBe(4000);
  });

  it("rejects origins that are not http(s)", () => {
    expect(() => parseEnv(schema, { DATABASE_URL: "postgresql://h/d", ORIGINS: "javascript:alert(1)" })).toThrow(
      /ORIGINS/,
    );
  });

  it("documents variables from their descriptions", () => {
    const table = describeEnv(schema);
    expect(table).toContain("| `PORT` | no | `4000` | HTTP port |");
    expect(table).toContain("| `DATABASE_URL` | yes |  | database |");
  });
});
