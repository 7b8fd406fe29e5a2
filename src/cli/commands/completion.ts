// `completion bash|zsh` (tcompose's own; the reference has none): prints the completion script, made when it
// runs from the program itself (src/cli/completion.ts), so it is exact for this binary without a build step.
// `__complete services` (hidden, like the reference's cobra `__complete`, which docker's completion asks):
// the service names of the project the words of a command line choose, one a line; nothing, and exit 0,
// when there is no valid project, so nothing ever lands in the user's prompt.
import { homedir } from "node:os";
import { Argument, type Command } from "commander";
import type { Io } from "../io.js";

export function registerCompletion(program: Command, io: Io): void {
  program
    .command("completion")
    .description("Print the shell completion script (bash or zsh)")
    .addArgument(new Argument("<shell>").choices(["bash", "zsh"]))
    .addHelpText(
      "after",
      `
Load it in the current shell:
  bash: source <(tcompose completion bash)
  zsh:  source <(tcompose completion zsh)   (after compinit)
Or save it once:
  bash: tcompose completion bash > ~/.local/share/bash-completion/completions/tcompose
  zsh:  tcompose completion zsh > "\${fpath[1]}/_tcompose"`,
    )
    .action(async (shell: string) => {
      const completion = await import("../completion.js");
      const data = completion.completionData(program);
      io.stdout(shell === "zsh" ? completion.zshScript(data) : completion.bashScript(data));
    });

  program
    .command("__complete", { hidden: true })
    .argument("<what>")
    .argument("[words...]")
    .helpOption(false)
    .action(async (what: string, words: string[]) => {
      if (what !== "services") return;
      try {
        io.stdout((await serviceNames(program, words)).map((s) => `${s}\n`).join(""));
      } catch {
        // no project, an invalid one, an unreadable file: nothing to offer
      }
    });
}

async function serviceNames(program: Command, words: string[]): Promise<string[]> {
  const [completion, { loadOptionsFrom }, { loadProject }, { diskFileSystem }] = await Promise.all([
    import("../completion.js"),
    import("../project-options.js"),
    import("../../project/load/index.js"),
    import("../../project/load/disk.js"),
  ]);
  const given = completion.projectFlagValues(completion.completionData(program), words, homedir());
  // Every service, whatever its profiles, as the reference's completion: naming one enables it.
  const result = loadProject({
    options: loadOptionsFrom({ ...given, profile: ["*"] }),
    env: process.env,
    fs: diskFileSystem(),
    home: homedir(),
    readStdin: () => "",
  });
  if (result.failure || result.problems.length > 0 || !result.project) return [];
  return Object.keys((result.project.model.services ?? {}) as Record<string, unknown>);
}
