// The consumer side of the outbox benchmark: cloud-api's real consumer (its customer.created
// handler, LISTEN/NOTIFY) in its own process. It stamps each event with the time its batch
// committed (runOnce resolves right after COMMIT) and writes the stamps to STAMPS_FILE on SIGTERM.
import { writeFileSync } from "node:fs";
import { connectPostgres } from "@atlas/db";
import { createLogger } from "@atlas/service-kit";
import { OutboxConsumer } from "../packages/outbox/src/index.ts";
import { loadCloudConfig } from "../service-cloud-api/src/config.ts";
import { buildDeps, closeDeps } from "../service-cloud-api/src/deps.ts";
import { entitlementBatchHandlers, entitlementHandlers } from "../service-cloud-api/src/services/consumer.ts";

const url = process.env.DATABASE_URL as string;
const deps = buildDeps(
  loadCloudConfig({ DATABASE_URL: url, NODE_ENV: "production" }),
  connectPostgres(url, "cloud", { max: 4 }),
  createLogger({ name: "bench-consumer", level: "warn" }),
);
const now = () => performance.timeOrigin + performance.now();
const inBatch: string[] = [];
let handlerMs = 0;
const stamps: string[] = [];
const apply = entitlementHandlers(deps)["customer.created"];
const batchApply = entitlementBatchHandlers(deps)["customer.created"];
if (!apply || !batchApply) throw new Error("no customer.created handler");

class StampingConsumer extends OutboxConsumer {
  override async runOnce() {
    inBatch.length = 0;
    const t0 = now();
    const result = await super.runOnce();
    const t = now();
    if (process.env.BENCH_DEBUG)
      process.stderr.write(
        `batch ${result.claimed} in ${(t - t0).toFixed(1)} ms, handlers ${handlerMs.toFixed(1)} ms\n`,
      );
    handlerMs = 0;
    for (const id of inBatch) stamps.push(`${id} ${t}`);
    return result;
  }
}

const consumer = new StampingConsumer({
  pool: deps.database.pool as NonNullable<typeof deps.database.pool>,
  name: "bench",
  batchSize: Number(process.env.BATCH_SIZE ?? "100"),

  pollIntervalMs: 1_000,
  // As cloud-api's own consumer runs (services/consumer.ts).
  optimisticBatches: true,
  batchHandlers: {
    "customer.created": async (events, tx) => {
      const h0 = now();
      await batchApply(events, tx);
      handlerMs += now() - h0;
      for (const e of events) inBatch.push(e.id);
    },
  },
  handlers: {
    "customer.created": async (event, tx) => {
      const h0 = now();
      await apply(event, tx);
      handlerMs += now() - h0;
      inBatch.push(event.id);
    },
  },
  onError: (error) => process.stderr.write(`consumer error: ${String(error)}\n`),
});
process.on("SIGTERM", () => {
  void consumer.stop().then(async () => {
    writeFileSync(process.env.STAMPS_FILE as string, stamps.join("\n"));
    await closeDeps(deps);
    process.exit(0);
  });
});
consumer.start();
process.stdout.write("ready\n");
