import { Registry } from "prom-client";
import { createMetrics as newM } from "./src/metrics.ts";
import { createMetrics as oldM } from "./src/metrics-old.tmp.ts";

const mk = (f: typeof newM) => {
  const r = new Registry();
  r.setDefaultLabels({ service: "svc" });
  return f("svc", r);
};
const a = mk(oldM),
  b = mk(newM);
const obs: [string, string, number, number][] = [
  ["GET", "/health", 200, 0.0004],
  ["GET", "/health", 200, 0.003],
  ["POST", "/x/:id", 400, 0.2],
  ["GET", "/health", 503, 5],
  ["GET", "unmatched", 404, 0.001],
  ["POST", "/x/:id", 201, 0.0025],
];
for (const o of obs) {
  a.observe(...o);
  b.observe(...o);
}
const [x, y] = [await a.registry.metrics(), await b.registry.metrics()];
console.log(x === y ? "IDENTICAL" : `DIFF\n${x}\n----\n${y}`);
const [j1, j2] = [await a.registry.getMetricsAsJSON(), await b.registry.getMetricsAsJSON()];
console.log(
  JSON.stringify(j1) === JSON.stringify(j2)
    ? "JSON IDENTICAL"
    : `JSON DIFF\n${JSON.stringify(j1).slice(0, 800)}\n${JSON.stringify(j2).slice(0, 800)}`,
);
