// The reference's checks of the global --progress and --ansi flags, apart from the renderer so that every
// command can run them before it starts (main.ts) without loading it.

/** Why the reference refuses this combination of flags, or undefined when it accepts it. */
export function progressModeError(mode: string, ansi: string, isTty: boolean): string | undefined {
  if (!["auto", "tty", "plain", "json", "quiet", "none"].includes(mode)) {
    return `unsupported --progress value "${mode}"`;
  }
  if (mode === "tty" && ansi === "never") return "can't use --progress tty while ANSI support is disabled";
  if (mode === "plain" && ansi === "always") return "can't use --progress plain while ANSI support is forced";
  if (mode === "tty" && !isTty) return "provided file is not a console";
  return undefined;
}
