import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import * as bg from "@prisma/schema-engine-wasm/schema_engine_bg";

export type SchemaEngine = Awaited<ReturnType<typeof bg.SchemaEngine.new>>;

// @types/node 20 does not declare the WebAssembly global that Node provides.
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, unknown>) => { exports: Record<string, unknown> };
};

let initialised: Promise<void> | undefined;

// The package's JS entry expects a bundler to wire the wasm module; in Node we instantiate the
// wasm ourselves and hand its exports to the generated bindings.
function initWasm(): Promise<void> {
  initialised ??= (async () => {
    const require = createRequire(import.meta.url);
    const wasmPath = join(dirname(require.resolve("@prisma/schema-engine-wasm")), "schema_engine_bg.wasm");
    const module = new WebAssembly.Module(await readFile(wasmPath));
    const instance = new WebAssembly.Instance(module, { "./schema_engine_bg.js": bg });
    const exports = instance.exports as unknown as { __wbindgen_start(): void };
    bg.__wbg_set_wasm(instance.exports as never);
    exports.__wbindgen_start();
  })();
  return initialised;
}

/** Creates a Prisma schema engine (wasm build) bound to a migration-aware SQL adapter factory. */
export async function createSchemaEngine(
  adapterFactory: object,
  datamodels?: [path: string, content: string][],
  log: (message: string) => void = () => {},
): Promise<SchemaEngine> {
  await initWasm();
  return bg.SchemaEngine.new({ datamodels }, log, adapterFactory);
}
