// Errors the CLI knows how to print without a stack trace, each with its exit code. Anything else is a
// bug and is printed as one line too (with the stack only under DEBUG).

import { usageExitCode } from "./usage-errors.js";

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = 1,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Wrong flags or arguments. */
export class UsageError extends CliError {}

/** A flag's value the reference's flag parser refuses (pflag's "invalid argument … for … flag"). */
export class FlagError extends UsageError {
  constructor(message: string) {
    super(message, usageExitCode);
  }
}

/** A command's own exit status (exec's command, wait's container): nothing more to print. */
export class ExitStatus extends CliError {
  constructor(exitCode: number) {
    super("", exitCode);
  }
}
