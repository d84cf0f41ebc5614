// The consumer side of the outbox benchmark: cloud-api's real consumer (its customer.created
// handler, LISTEN/NOTIFY) in its own process. It stamps each event with the time its batch
// committed (runOnce resolves right after COMMIT) and writes the stamps to a file on SIGTERM.
import { writeFileSync } from "node:fs";
import { connectPostgres } from "@atlas/db";
import { createLogger } from "@atlas/service-kit";
import { OutboxConsumer } from "../packages/outbox/src/index.ts";
import { loadCloudConfig } from "../service-cloud-api/src/config.ts";
import { buildDeps, closeDeps } from "../service-cloud-api/src/deps.ts";
import {
  CLOUD_OUTBOX_BATCH_SIZE,
  entitlementBatchHandlers,
  entitlementHandlers,
} from "../service-cloud-api/src/services/consumer.ts";

// argv: the database URL, the file to write the stamps to.
const [url, stampsFile] = process.argv.slice(2) as [string, string];
const deps = buildDeps(
  loadCloudConfig({ DATABASE_URL: url, NODE_ENV: "production" }),
  connectPostgres(url, "cloud", { max: 4 }),
  createLogger({ name: "bench-consumer", level: "warn" }),
);
const now = () => performance.timeOrigin + performance.now();
const inBatch: string[] = [];
const stamps: string[] = [];
const apply = entitlementHandlers(deps)["customer.created"];
const batchApply = entitlementBatchHandlers(deps)["customer.created"];
if (!apply || !batchApply) throw new Error("no customer.created handler");

class StampingConsumer extends OutboxConsumer {
  override async runOnce() {
    inBatch.length = 0;
    const result = await super.runOnce();
    const t = now();
    for (const id of inBatch) stamps.push(`${id} ${t}`);
    return result;
  }
}

const consumer = new StampingConsumer({
  pool: deps.database.pool as NonNullable<typeof deps.database.pool>,
  name: "bench",
  batchSize: CLOUD_OUTBOX_BATCH_SIZE,
  pollIntervalMs: 1_000,
  // As cloud-api's own consumer runs (services/consumer.ts).
  optimisticBatches: true,
  batchHandlers: {
    "customer.created": async (events, tx) => {
      await batchApply(events, tx);
      for (const e of events) inBatch.push(e.id);
    },
  },
  handlers: {
    "customer.created": async (event, tx) => {
      await apply(event, tx);
      inBatch.push(event.id);
    },
  },
  onError: (error) => process.stderr.write(`consumer error: ${String(error)}\n`),
});
process.on("SIGTERM", () => {
  void consumer.stop().then(async () => {
    writeFileSync(stampsFile, stamps.join("\n"));
    await closeDeps(deps);
    process.exit(0);
  });
});
consumer.start();
process.stdout.write("ready\n");
