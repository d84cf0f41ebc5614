// Turns the services' OpenAPI documents into TypeScript with openapi-typescript. Pure: the same
// documents always give the same text, which the drift test (test/drift.test.ts) relies on.
import openapiTS, { astToString, type OpenAPI3 } from "openapi-typescript";
import { type OpenApiDocument, openApiDocuments, SERVICES, type ServiceName } from "./documents.ts";

/** Where the generated files live, relative to the package root. */
export const GENERATED_DIR = "generated";

/** The command that rewrites the generated files. */
export const GENERATE_COMMAND = "pnpm --filter @atlas/client generate";

export const generatedFile = (service: ServiceName) => `${GENERATED_DIR}/${service}.ts`;

const header = (service: ServiceName) =>
  [
    `// The contract of ${service}: types generated from its /openapi.json by openapi-typescript.`,
    `// Do not edit: run \`${GENERATE_COMMAND}\` after changing a route (test/drift.test.ts checks).`,
    "",
  ].join("\n");

/** One service's document as TypeScript source (paths sorted, so route order does not matter). */
export async function renderTypes(service: ServiceName, doc: OpenApiDocument): Promise<string> {
  const ast = await openapiTS(doc as unknown as OpenAPI3, { alphabetize: true, silent: true });
  return `${header(service)}\n${astToString(ast)}`;
}

/** Every generated file: path (relative to the package root) → contents. */
export async function renderAll(): Promise<Map<string, string>> {
  const docs = await openApiDocuments();
  const files = new Map<string, string>();
  for (const service of SERVICES) files.set(generatedFile(service), await renderTypes(service, docs[service]));
  return files;
}
