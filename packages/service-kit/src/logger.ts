import { type Logger, type LoggerOptions, pino } from "pino";

export type { Logger } from "pino";

/**
 * Keys whose values never reach a log line, wherever they appear (two levels deep): tokens,
 * secrets, codes, credentials, cookies. Request logs carry method, route, status and timing
 * only, so the defence here is for objects a service logs by mistake.
 */
export const REDACTED_KEYS = [
  "authorization",
  "cookie",
  "set-cookie",
  "password",
  "secret",
  "token",
  "accessToken",
  "refreshToken",
  "idToken",
  "mfaToken",
  "code",
  "backupCode",
  "otp",
  "apiKey",
  "privateKey",
  "clientSecret",
  "signature",
  "databaseUrl",
  "DATABASE_URL",
];

const redactPaths = REDACTED_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`, `headers["${k}"]`, `*.headers["${k}"]`]);

/** JSON logger (pino) with secret redaction. */
export function createLogger(options: { name: string; level: string; destination?: pino.DestinationStream }): Logger {
  const config: LoggerOptions = {
    name: options.name,
    level: options.level,
    redact: { paths: redactPaths, censor: "[redacted]" },
    base: { service: options.name },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return options.destination ? pino(config, options.destination) : pino(config);
}
