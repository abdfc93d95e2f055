/**
 * How to run this descent again, from any folder: the words that start every command descent
 * prints for the user to copy ("to continue: …", "check it with: …"), so that the command works
 * when pasted. `descent` when it was started as an installed command on the PATH; otherwise the
 * engine and the absolute path of the script (`node /home/me/descent/apps/cli/dist/descent.mjs`),
 * which is what `pnpm descent` and `node apps/cli/dist/descent.mjs` really run.
 *
 * @since 0.3.0
 */
import { basename, resolve } from "node:path"

// Shell-quoted where needed, so that a path with spaces pastes as one word.
const quote = (text: string) => (/^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`)

// The engine running this descent, and what it needs before a script's path to run it.
const engine = (): { readonly name: "node" | "bun" | "deno"; readonly before: ReadonlyArray<string> } => {
  const name = basename(process.execPath).replace(/\.exe$/, "")
  return name === "deno" ? { name, before: ["run", "-A"] } : { name: name === "bun" ? "bun" : "node", before: [] }
}

/**
 * The command that runs this descent (without its arguments).
 *
 * @since 0.3.0
 * @category getters
 */
export const command = (): string => {
  const script = process.argv[1]
  if (script === undefined || basename(script) === "descent") return "descent"
  const { before, name } = engine()
  return [name, ...before, quote(resolve(script))].join(" ")
}

/**
 * How to start this descent again as a process of its own: the engine's executable and the
 * arguments before descent's own (`node SCRIPT`, `bun SCRIPT`, `deno run -A SCRIPT`).
 *
 * @since 0.3.0
 * @category getters
 */
export const argv = (): readonly [string, ...Array<string>] => [process.execPath, ...engine().before, resolve(process.argv[1] ?? "descent")]

/**
 * A descent command line for the user to copy: `command()` and `args`, each quoted as needed.
 *
 * @since 0.3.0
 * @category getters
 */
export const line = (...args: ReadonlyArray<string>): string => [command(), ...args.map(quote)].join(" ")
