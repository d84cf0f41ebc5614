import { z } from "zod";

/** One environment variable that failed validation. */
export interface ConfigIssue {
  variable: string;
  message: string;
}

/** Boot-time configuration error: names every bad variable, never echoes its value. */
export class ConfigError extends Error {
  readonly issues: ConfigIssue[];
  constructor(issues: ConfigIssue[]) {
    super(`invalid environment: ${issues.map((i) => `${i.variable}: ${i.message}`).join("; ")}`);
    this.name = "ConfigError";
    this.issues = issues;
  }
}

/**
 * Parses the environment with a zod object schema whose keys are variable names.
 * Empty strings count as unset, so `FOO=` in an .env file falls back to the default.
 *
 * @example
 * const config = parseEnv(z.object({ PORT: port(4000) }), process.env);
 */
export function parseEnv<S extends z.ZodObject>(schema: S, env: Record<string, string | undefined>): z.infer<S> {
  const input: Record<string, string> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== "") input[key] = value;
  }
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => ({
      variable: String(issue.path[0] ?? "(environment)"),
      // zod messages describe the expectation (e.g. "Invalid URL"), not the rejected value.
      message: issue.message,
    })),
  );
}

/** A TCP port number with a default. */
export const port = (fallback: number) => z.coerce.number().int().min(1).max(65_535).default(fallback);

/** "true"/"false"/"1"/"0" as a boolean. */
export const booleanFlag = (fallback: boolean) =>
  z
    .enum(["true", "false", "1", "0"])
    .default(fallback ? "true" : "false")
    .transform((v) => v === "true" || v === "1");

/** An http(s) URL without a trailing slash. */
export const httpUrl = () => z.url({ protocol: /^https?$/ }).transform((v) => v.replace(/\/+$/, ""));

/** A postgres:// or postgresql:// connection URL. */
export const postgresUrl = () => z.url({ protocol: /^postgres(ql)?$/, error: "must be a postgres:// URL" });

/** Comma-separated list of http(s) origins, normalised. */
export const originList = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((v, ctx) => {
      const origins: string[] = [];
      for (const part of v
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean)) {
        try {
          const u = new URL(part);
          if (u.protocol !== "http:" && u.protocol !== "https:") throw new Error("scheme");
          origins.push(u.origin);
        } catch {
          ctx.addIssue({ code: "custom", message: `"${part}" is not an http(s) origin` });
          return z.NEVER;
        }
      }
      return origins;
    });

/**
 * `METRICS_PORT` and `METRICS_TOKENS`, the same in every service: where `GET /metrics` is served
 * (service-kit's `metricsExposure` reads them).
 */
export const metricsEnv = () => ({
  METRICS_PORT: z.coerce
    .number()
    .int()
    .min(1)
    .max(65_535)
    .optional()
    .describe(
      "Serve GET /metrics on this port (on HOST) instead of the main one, which then answers 404 there: keep it off the public network",
    ),
  METRICS_TOKENS: metricsTokens().describe(
    "Bearer tokens (comma separated, ≥ 32 characters each) that open GET /metrics on the main port. In production /metrics is served only on METRICS_PORT or with one of these tokens",
  ),
});

/**
 * `METRICS_TOKENS`: bearer tokens any of which opens `GET /metrics` on the public port (comma
 * separated, so a token is rotated by adding the new one, switching the scraper, then removing the
 * old). Each at least 32 characters.
 */
export const metricsTokens = () =>
  z
    .string()
    .default("")
    .transform((v) =>
      v
        .split(",")
        .map((t) => t.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().min(32, "each METRICS_TOKENS entry needs at least 32 characters")));

export const logLevel = () => z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info");

/** Markdown table of the variables of an env schema, from their `.describe()` texts. */
export function describeEnv(schema: z.ZodObject): string {
  const rows = Object.entries(schema.shape).map(([name, field]) => {
    const f = field as z.ZodType;
    const parsed = f.safeParse(undefined);
    const required = !parsed.success;
    const def = parsed.success && parsed.data !== undefined ? `\`${JSON.stringify(parsed.data)}\`` : "";
    return `| \`${name}\` | ${required ? "yes" : "no"} | ${def} | ${f.description ?? ""} |`;
  });
  return ["| variable | required | default | meaning |", "|---|---|---|---|", ...rows].join("\n");
}
