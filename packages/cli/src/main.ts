import { CommanderError } from "commander";
import { CliError } from "./http.ts";
import { buildProgram } from "./program.ts";

/** Runs the CLI; failures print a message (and what to do about it) on stderr and set the exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram().exitOverride();
  const json = argv.includes("--json");
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode; // commander already printed it
    if (error instanceof CliError) {
      if (json) {
        const { hint, code, status } = error.options;
        process.stderr.write(`${JSON.stringify({ error: { message: error.message, code, status, hint } })}\n`);
      } else {
        process.stderr.write(`error: ${error.message}\n${error.options.hint ? `hint: ${error.options.hint}\n` : ""}`);
      }
      return error.exitCode;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`error: ${message}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv);
