// `node --import ./bench/import-log.mjs …` (or NODE_OPTIONS=--import=…): appends every module URL
// the process resolves through `import` to the file IMPORT_LOG names, one per line. Used to see
// which packages a service loads at boot (bench/cold-start.ts, service-auth/test/boot.test.ts).
import { register } from "node:module";
import { appendFileSync } from "node:fs";
import { isMainThread } from "node:worker_threads";

if (isMainThread) register(import.meta.url);

/** The resolve hook (it runs on the loader thread). */
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  if (process.env.IMPORT_LOG) appendFileSync(process.env.IMPORT_LOG, `${result.url}\n`);
  return result;
}
