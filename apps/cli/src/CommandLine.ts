/**
 * The command line as typed, looked at before @effect/cli parses it, to answer what a person
 * needs answered in words of their own: `--help` pages (see `Help`), a misspelt command or flag
 * ("did you mean train?", "did you mean --epochs?"), a value that is not one of a flag's
 * choices, a flag given twice, a required flag left out. Everything else — and every value's
 * own check — is the parser's.
 *
 * Not for: parsing values (see `Cli`, `TrainFlags`), or errors found while working.
 *
 * @since 0.3.0
 */
import { AutoCorrect, CliConfig } from "@effect/cli"
import * as Help from "./Help.js"

/**
 * What to do before parsing: print `text` to stdout (help) and exit 0, refuse with `error` (one
 * line for stderr) and exit 2, or go on to the parser.
 *
 * @since 0.3.0
 * @category models
 */
export type Answer =
  | { readonly _tag: "Help"; readonly text: string }
  | { readonly _tag: "Refuse"; readonly error: string }
  | { readonly _tag: "Parse" }

const parse: Answer = { _tag: "Parse" }
const refuse = (error: string): Answer => ({ _tag: "Refuse", error: `descent: ${error}` })

// Flags every command takes, which @effect/cli answers itself.
const builtIns = ["--help", "-h", "--version", "--completions", "--log-level", "--wizard"]

const distance = (a: string, b: string) => AutoCorrect.levensteinDistance(a, b, CliConfig.defaultConfig)

/**
 * The name among `names` nearest to `typed` — within two edits (or a third of its length), or
 * one that it begins — or `undefined` when none is near enough to suggest.
 *
 * @since 0.3.0
 * @category suggestions
 */
export const nearest = (typed: string, names: ReadonlyArray<string>): string | undefined => {
  const limit = Math.max(2, Math.floor(typed.length / 3))
  let best: string | undefined
  let bestDistance = Infinity
  for (const name of names) {
    const d = distance(typed.toLowerCase(), name.toLowerCase())
    if (d < bestDistance) {
      best = name
      bestDistance = d
    }
  }
  if (best !== undefined && bestDistance <= limit) return best
  const prefixed = names.filter((name) => name.startsWith(typed) && typed.length >= 3)
  return prefixed.length === 1 ? prefixed[0] : undefined
}

const orList = (choices: ReadonlyArray<string>) =>
  choices.length <= 2 ? choices.join(" or ") : `${choices.slice(0, -1).join(", ")} or ${choices[choices.length - 1]}`

/**
 * The flags written on a command line (`--eta` of `--eta=3` too), up to a `--`.
 *
 * @since 0.3.0
 * @category reading
 */
export const flagsIn = (args: ReadonlyArray<string>): ReadonlyArray<string> => {
  const end = args.indexOf("--")
  return (end === -1 ? args : args.slice(0, end)).filter((arg) => /^--[A-Za-z]/.test(arg) || arg === "-h").map((arg) => arg.split("=")[0]!)
}

// The value a flag was given: `--flag=value`, or the word after it (undefined when none).
const valueOf = (args: ReadonlyArray<string>, flag: string): string | null | undefined => {
  for (const [i, arg] of args.entries()) {
    if (arg === "--") return undefined
    if (arg.startsWith(`${flag}=`)) return arg.slice(flag.length + 1)
    if (arg === flag) return i + 1 < args.length && !args[i + 1]!.startsWith("--") ? args[i + 1]! : null
  }
  return undefined
}

/**
 * What to do with `args` (the command line after `descent`) before parsing it.
 *
 * @since 0.3.0
 * @category checking
 */
export const answer = (args: ReadonlyArray<string>, version: string): Answer => {
  const [first] = args
  if (first === undefined || first === "--help" || first === "-h") return { _tag: "Help", text: Help.mainHelp(version) }
  const commands = Help.commandNames as ReadonlyArray<string>
  if (first.startsWith("-")) {
    if (builtIns.includes(first.split("=")[0]!)) return parse
    const command = nearest(first.replace(/^-+/, ""), commands)
    return refuse(
      `${first} is not something descent takes before a command; give a command first${command === undefined ? "" : ` (did you mean descent ${command}?)`}: ${commands.join(", ")} (see descent --help)`
    )
  }
  if (!commands.includes(first)) {
    const command = nearest(first, commands)
    return refuse(
      `${first} is not a command of descent${command === undefined ? "" : `; did you mean ${command}?`} (the commands: ${commands.join(", ")}; see descent --help)`
    )
  }
  const name = first as (typeof Help.commandNames)[number]
  const rest = args.slice(1)
  const given = flagsIn(rest)
  if (given.includes("--help") || given.includes("-h")) return { _tag: "Help", text: Help.commandHelp(name) }
  const see = `(see descent ${name} --help)`
  // `descent sweep` takes --grid and --set once per setting; every other flag once.
  const repeatable = name === "sweep" ? ["--grid", "--set"] : []
  const twice = given.find((flag, i) => given.indexOf(flag) !== i && !repeatable.includes(flag))
  if (twice !== undefined) return refuse(`${twice} is given twice; give each flag once ${see}`)
  const page = Help.page(name)
  const flags = page.entries.filter((e) => e.name.startsWith("--"))
  const names = flags.map((e) => e.name)
  for (const flag of given) {
    if (names.includes(flag) || builtIns.includes(flag)) continue
    const near = nearest(flag, names)
    return refuse(`${flag} is not a flag of descent ${name}${near === undefined ? "" : `; did you mean ${near}?`} ${see}`)
  }
  for (const e of flags) {
    if (e.choices === undefined) continue
    const value = valueOf(rest, e.name)
    if (value === undefined) continue
    if (value === null) return refuse(`${e.name} needs a value: ${orList(e.choices)} ${see}`)
    if (!e.choices.includes(value)) {
      const near = nearest(value, e.choices)
      return refuse(`${e.name} ${value}: give ${orList(e.choices)}${near === undefined ? "" : ` (did you mean ${near}?)`}`)
    }
  }
  const missing = flags.find((e) => e.required && !given.includes(e.name))
  if (missing !== undefined) {
    const what = (missing.description[0] ?? "").replace(/\.$/, "").replace(/^./, (c) => c.toLowerCase())
    return refuse(`${missing.name} ${missing.value} is missing${what === "" ? "" : `: ${what}`} ${see}`)
  }
  return parse
}
