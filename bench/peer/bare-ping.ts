// Baseline for the service shell: a bare Hono app on @hono/node-server (the server the services
// use) with one route and no middleware. `GET /ping` → 200 "pong".
import { serve } from "@hono/node-server";
import { Hono } from "hono";

const { PORT } = process.env;
if (!PORT) throw new Error("PORT is required");
const app = new Hono();
app.get("/ping", (c) => c.text("pong"));
serve({ fetch: app.fetch, port: Number(PORT), hostname: "127.0.0.1" });
