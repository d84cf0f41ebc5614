import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import type { Logger } from "./logger.ts";

export interface RunningServer {
  port: number;
  /** Stops accepting connections and resolves when in-flight requests have finished. */
  close(): Promise<void>;
}

type FetchHandler = (request: Request, env?: unknown) => Response | Promise<Response>;

/** Starts an HTTP server for a fetch handler and resolves once it listens. */
export function startHttpServer(fetch: FetchHandler, port: number, hostname: string): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, port, hostname }, (info: AddressInfo) => {
      resolve({
        port: info.port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            // Idle keep-alive sockets would hold close() open; in-flight requests still finish.
            (server as unknown as { closeIdleConnections?: () => void }).closeIdleConnections?.();
          }),
      });
    });
    server.once("error", reject);
  });
}

/**
 * Graceful shutdown: on SIGTERM or SIGINT, run `shutdown` (stop servers, drain, close pools)
 * once, then exit 0; exit 1 if it fails or takes longer than `timeoutMs`.
 */
export function exitOnSignals(logger: Logger, shutdown: () => Promise<void>, timeoutMs = 10_000): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down");
    const timer = setTimeout(() => {
      logger.error({ timeoutMs }, "shutdown timed out");
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    shutdown().then(
      () => {
        logger.info("stopped");
        logger.flush?.();
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  // `on`, not `once`: a second signal during the drain (a supervisor repeating SIGTERM, tsx
  // relaying the signal it already forwarded) must not fall through to the default action and kill
  // the process mid-shutdown (exit 143); repeats are ignored, and the timeout bounds the drain.
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
}

/**
 * Runs a service's async `main`, turning a boot failure into one line on stderr and exit 1
 * (a ConfigError's message names the bad variables and never their values).
 */
export function runMain(service: string, main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    console.error(`${service} failed to start: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
