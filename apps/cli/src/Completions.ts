/**
 * Shell completion scripts: `descent --completions bash|sh|zsh|fish`, as @effect/cli writes
 * them, with what its bash script gets wrong put right — a flag's choices offered one by one
 * (it offers `sigmoid,relu` as one word), and file names offered only for flags that take a
 * path (it offers them for `--epochs` too).
 *
 * Not for: the help pages (see `Help`).
 *
 * @since 0.3.0
 */
import { Command } from "@effect/cli"
import { Effect } from "effect"
import * as Cli from "./Cli.js"
import * as Help from "./Help.js"

/**
 * The shells there are scripts for.
 *
 * @since 0.3.0
 * @category constants
 */
export const shells = ["bash", "sh", "zsh", "fish"] as const

// The flags of any command whose value is a path or URL (their placeholder says DIR or FILE).
const pathFlags = (): ReadonlySet<string> =>
  new Set(Help.commandNames.flatMap((name) => Help.page(name).entries.filter((e) => /DIR|FILE/.test(e.value)).map((e) => e.name)))

/**
 * A bash script by @effect/cli, mended: choices split into words, no file names for values
 * that are not paths.
 *
 * @since 0.3.0
 * @category bash
 */
export const mendBash = (script: string, paths: ReadonlySet<string>): string =>
  script
    .replace(/compgen -W "([^"$]*)" -- "\$\{cur\}"/g, (_, words: string) => `compgen -W "${words.split(",").join(" ")}" -- "\${cur}"`)
    .replace(/(\n\s*(--[a-z0-9-]+)\)\n\s*)COMPREPLY=\( \$\(compgen -f "\$\{cur\}"\) \)/g, (whole, head: string, flag: string) =>
      paths.has(flag) ? whole : `${head}COMPREPLY=()`)

/**
 * The completion script for `shell`.
 *
 * @since 0.3.0
 * @category scripts
 */
export const script = (shell: (typeof shells)[number]): Effect.Effect<string> => {
  const lines = shell === "zsh"
    ? Command.getZshCompletions(Cli.descent, "descent")
    : shell === "fish"
    ? Command.getFishCompletions(Cli.descent, "descent")
    : Command.getBashCompletions(Cli.descent, "descent")
  return Effect.map(lines, (all) => {
    const text = all.join("\n") + "\n"
    return shell === "bash" || shell === "sh" ? mendBash(text, pathFlags()) : text
  })
}
