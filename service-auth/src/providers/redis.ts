import type { Logger } from "@atlas/service-kit";
import type { RedisClientType } from "redis";
import type { RedisLike } from "../services/platform/rate-limit.ts";

/**
 * The Redis connection of the shared rate-limit store (REDIS_URL). The client library (node-redis,
 * ~20 MB and ~100 ms to load) is imported only when REDIS_URL is set, after boot's own imports.
 * The client never queues commands while disconnected (they fail fast, and the rate limiter falls
 * back) and keeps reconnecting in the background.
 *
 * @example
 * const redis = new RedisConnection("redis://127.0.0.1:6379", logger);
 * await redis.eval("return 1", { keys: [], arguments: [] });
 */
export class RedisConnection implements RedisLike {
  private readonly client: Promise<RedisClientType>;
  private connected: RedisClientType | null = null;

  constructor(url: string, logger: Logger) {
    this.client = import("redis").then(({ createClient }) => {
      const client = createClient({
        url,
        disableOfflineQueue: true,
        socket: { connectTimeout: 2_000, reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 5_000) },
      }) as RedisClientType;
      client.on("error", (error: Error) => logger.debug({ err: error.message }, "redis connection error"));
      client.connect().catch((error: Error) => logger.warn({ err: error.message }, "redis connect failed; retrying"));
      this.connected = client;
      return client;
    });
  }

  /** True while the client is connected and answering. */
  get isReady(): boolean {
    return this.connected?.isReady ?? false;
  }

  async eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown> {
    return (await this.client).eval(script, options);
  }

  async close(): Promise<void> {
    const client = await this.client;
    if (client.isOpen) await client.close().catch(() => undefined);
  }
}
