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

/**
 * The command that runs this descent (without its arguments).
 *
 * @since 0.3.0
 * @category getters
 */
export const command = (): string => {
  const script = process.argv[1]
  if (script === undefined || basename(script) === "descent") return "descent"
  const engine = basename(process.execPath).replace(/\.exe$/, "")
  const runner = engine === "deno" ? "deno run -A" : engine === "bun" ? "bun" : "node"
  return `${runner} ${quote(resolve(script))}`
}

/**
 * How to start this descent again as a process of its own: the engine's executable and the
 * arguments before descent's own (`node SCRIPT`, `bun SCRIPT`, `deno run -A SCRIPT`).
 *
 * @since 0.3.0
 * @category getters
 */
export const argv = (): readonly [string, ...Array<string>] => {
  const script = resolve(process.argv[1] ?? "descent")
  const engine = basename(process.execPath).replace(/\.exe$/, "")
  return engine === "deno" ? [process.execPath, "run", "-A", script] : [process.execPath, script]
}

/**
 * A descent command line for the user to copy: `command()` and `args`, each quoted as needed.
 *
 * @since 0.3.0
 * @category getters
 */
export const line = (...args: ReadonlyArray<string>): string => [command(), ...args.map(quote)].join(" ")
