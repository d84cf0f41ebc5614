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
      const { hint, code, status, requestId } = error.options;
      if (json) {
        const body = { message: error.message, code, status, hint, requestId, exitCode: error.exitCode };
        process.stderr.write(`${JSON.stringify({ error: body })}\n`);
      } else {
        // The request id goes on the error line itself: the one line users paste into a ticket.
        const id = requestId ? ` [request id ${requestId}]` : "";
        process.stderr.write(`error: ${error.message}${id}\n${hint ? `hint: ${hint}\n` : ""}`);
      }
      return error.exitCode;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`error: ${message}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv);
