import { defineConfig } from "prisma/config";

// Read by the Prisma CLI (generate; `migrate deploy` on connected machines) and by @atlas/db's
// offline migration tool. DATABASE_URL names the database; each service keeps its tables and its
// migration history in its own Postgres schema, so the URL gets `?schema=auth` here.
const url = new URL(process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/atlas");
url.searchParams.set("schema", "auth");

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: url.toString() },
  experimental: { externalTables: true },
  tables: { external: [] },
});
