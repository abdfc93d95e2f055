/**
 * The help pages — `descent --help` and `descent <command> --help` — written for a person:
 * `descent <command> …` as it is typed, each flag with what it does and its real default, and
 * none of @effect/cli's boilerplate ("A user-defined piece of text.", "This setting is
 * optional."). The words come from the commands' own specification (`Cli`), read through
 * @effect/cli's `HelpDoc`, so a flag is described in one place only.
 *
 * Also what the other early answers need to know of a command: its flags, which are required,
 * and the choices a flag allows (see `CommandLine`).
 *
 * Not for: parsing (@effect/cli does it) or checking what was typed (see `CommandLine`).
 *
 * @since 0.3.0
 */
import { CliConfig, Command, HelpDoc, Usage } from "@effect/cli"
import type { Span } from "@effect/cli/HelpDoc/Span"
import * as Cli from "./Cli.js"

/**
 * One flag (`--count`) or argument (`RUN.json`) of a command, as its help describes it.
 *
 * @since 0.3.0
 * @category models
 */
export interface Entry {
  /** "--count", or an argument's name ("RUN.json"). */
  readonly name: string
  /** What follows the name: "N", "sigmoid | relu", or "" for a switch. */
  readonly value: string
  readonly description: ReadonlyArray<string>
  readonly required: boolean
  readonly default?: string
  readonly choices?: ReadonlyArray<string>
}

/**
 * A command as its help page shows it.
 *
 * @since 0.3.0
 * @category models
 */
export interface Page {
  readonly name: string
  readonly description: string
  readonly usage: string
  readonly entries: ReadonlyArray<Entry>
}

/**
 * The names of the commands, in the order the help lists them.
 *
 * @since 0.3.0
 * @category commands
 */
export const commandNames = Object.keys(Cli.commands) as ReadonlyArray<keyof typeof Cli.commands>

const spanText = (span: Span): string => {
  switch (span._tag) {
    case "Text":
    case "URI":
      return span.value
    case "Sequence":
      return spanText(span.left) + spanText(span.right)
    default:
      return spanText(span.value)
  }
}

// A HelpDoc as its blocks, in order: headers, paragraphs and description lists.
type Block =
  | { readonly _tag: "Header"; readonly text: string }
  | { readonly _tag: "Paragraph"; readonly text: string }
  | { readonly _tag: "Definition"; readonly term: string; readonly paragraphs: ReadonlyArray<string> }

const blocks = (doc: HelpDoc.HelpDoc): ReadonlyArray<Block> => {
  switch (doc._tag) {
    case "Empty":
      return []
    case "Header":
      return [{ _tag: "Header", text: spanText(doc.value) }]
    case "Paragraph":
      return [{ _tag: "Paragraph", text: spanText(doc.value) }]
    case "Sequence":
      return [...blocks(doc.left), ...blocks(doc.right)]
    case "Enumeration":
      return doc.elements.flatMap(blocks)
    case "DescriptionList":
      return doc.definitions.map(([term, body]) => ({
        _tag: "Definition" as const,
        term: spanText(term),
        paragraphs: blocks(body).map((block) => (block._tag === "Definition" ? block.term : block.text))
      }))
  }
}

// Flags @effect/cli gives every command: the main help names the useful ones once.
const builtIns = ["--completions", "--log-level", "--wizard", "--version", "-h", "--help"]

// What @effect/cli says of every option of a type, which the flag's own line already shows.
const boilerplate = /^(A user-defined piece of text\.|An integer\.|A true or false value\.|A floating point number\.|A date\.|A user-defined piece of text that is confidential\.)$/

const entry = (term: string, paragraphs: ReadonlyArray<string>): Entry => {
  const [name = term, ...rest] = term.split(" ")
  const description: Array<string> = []
  let required = true
  let fallback: string | undefined
  let choices: ReadonlyArray<string> | undefined
  for (const text of paragraphs) {
    const optional = /^This setting is optional\.(?: Defaults to: (.*))?$/.exec(text)
    const oneOf = /^One of the following: (.*)$/.exec(text)
    const repeated = /^This argument must be repeated at least (\d+) times?\.$/.exec(text)
    if (optional !== null) {
      required = false
      fallback = optional[1]
    } else if (oneOf !== null) {
      choices = oneOf[1]!.split(", ")
    } else if (repeated !== null) {
      description.push(repeated[1] === "1" ? "One or more." : `At least ${repeated[1]}.`)
    } else if (!boilerplate.test(text)) {
      description.push(text)
    }
  }
  // A switch (--json) is off unless given; @effect/cli calls it required, but it is not.
  if (rest.length === 0 && name.startsWith("--")) required = false
  // An argument's repetition ("<RUN.json> 1+") is said in its description.
  const value = name.startsWith("--") ? rest.join(" ") : ""
  return { name, value, description, required, ...(fallback === undefined ? {} : { default: fallback }), ...(choices === undefined ? {} : { choices }) }
}

/**
 * The help page of one command, from its specification.
 *
 * @since 0.3.0
 * @category pages
 */
export const page = (name: keyof typeof Cli.commands): Page => {
  const command = Cli.commands[name] as Command.Command<string, never, unknown, unknown>
  const found = blocks(Command.getHelp(command, CliConfig.defaultConfig))
  const description = found.find((block, i) => block._tag === "Paragraph" && found[i - 1]?._tag === "Header")
  const usage = Usage.enumerate(Command.getUsage(command), CliConfig.defaultConfig).map(spanText)[0] ?? name
  return {
    name,
    description: description?._tag === "Paragraph" ? description.text : "",
    usage: `descent ${usage}`,
    entries: found.flatMap((block) => (block._tag === "Definition" ? [entry(block.term, block.paragraphs)] : []))
      .filter((e) => !e.name.startsWith("(") && !builtIns.includes(e.name))
  }
}

// Text cut into lines of at most `width` characters, at spaces.
const wrap = (text: string, width: number): ReadonlyArray<string> => {
  const lines: Array<string> = []
  let line = ""
  for (const word of text.split(/\s+/).filter((w) => w !== "")) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line)
      line = word
    } else {
      line = line === "" ? word : `${line} ${word}`
    }
  }
  if (line !== "") lines.push(line)
  return lines
}

// A usage line broken before a flag, the rest indented under the command's first flag.
const wrapUsage = (usage: string, width: number, indent: string): ReadonlyArray<string> => {
  const parts = usage.match(/\[[^\]]*\]|\S+/g) ?? [usage]
  const head = parts.slice(0, 2).join(" ")
  const hang = " ".repeat(head.length + 1)
  const lines: Array<string> = []
  let line = head
  for (const part of parts.slice(2)) {
    if (line.length + 1 + part.length > width - indent.length) {
      lines.push(line)
      line = hang + part
    } else {
      line = `${line} ${part}`
    }
  }
  lines.push(line)
  return lines.map((l) => indent + l)
}

const terminalWidth = (): number => Math.max(60, Math.min(100, process.stdout.columns ?? 100))

const helpFlag: Entry = { name: "-h, --help", value: "", description: ["Show this help."], required: false }

/**
 * `descent <command> --help`.
 *
 * @since 0.3.0
 * @category rendering
 */
export const commandHelp = (name: keyof typeof Cli.commands, width = terminalWidth()): string => {
  const { description, entries, usage } = page(name)
  const lines = [...wrap(`descent ${name}: ${description}`, width), "", "Usage:", ...wrapUsage(usage, width, "  "), ""]
  const args = entries.filter((e) => !e.name.startsWith("--"))
  const flags = entries.filter((e) => e.name.startsWith("--"))
  const describe = (e: Entry) => {
    const head = `  ${e.name}${e.value === "" ? "" : ` ${e.value}`}`
    const note = e.required ? "required" : e.default !== undefined ? `default: ${e.default}` : undefined
    return [
      note === undefined ? head : `${head}${" ".repeat(Math.max(2, 34 - head.length))}(${note})`,
      ...e.description.flatMap((text) => wrap(text, width - 6).map((l) => `      ${l}`))
    ]
  }
  if (args.length > 0) lines.push("Arguments:", ...args.flatMap(describe), "")
  lines.push("Flags:", ...[...flags, helpFlag].flatMap(describe))
  return lines.join("\n") + "\n"
}

/**
 * `descent --help` (and `descent` alone): what descent is, its commands, where to start.
 *
 * @since 0.3.0
 * @category rendering
 */
export const mainHelp = (version: string, width = terminalWidth()): string => {
  const pages = commandNames.map(page)
  const column = Math.max(...pages.map((p) => p.name.length)) + 4
  const lines = [
    `descent ${version}: a neural network learns handwritten digits by gradient descent, as in`,
    "chapter 2 of 3Blue1Brown's series: 13,002 weights and biases, one big column vector, each",
    "step params − η·∇C, every random number from a seed, every run replayable bit for bit.",
    "",
    "Usage:",
    "  descent <command> [flags]",
    "  descent <command> --help          every flag of the command, with its default",
    "",
    "Commands:",
    ...pages.flatMap((p) => {
      const [first = "", ...rest] = wrap(p.description, width - 2 - column)
      return [`  ${p.name.padEnd(column)}${first}`, ...rest.map((l) => `  ${" ".repeat(column)}${l}`)]
    }),
    "",
    "Start here:",
    "  descent train                                  train the chapter's 784-16-16-10 network",
    "  descent weights --model M --out weights.png    what its first layer learned",
    "  descent mistakes --model M --out mistakes.png  the test images it gets most wrong",
    "  descent plot runs/*/run.json --out curves.svg  learning curves, several runs on one chart",
    "  descent replay R/run.json                      re-run a recorded run; check every bit",
    "  (M is a model.json that descent train wrote, R the folder it wrote it in)",
    "",
    "Other flags:",
    "  --version                          the version of descent",
    "  --completions bash|zsh|fish|sh     a completion script: source <(descent --completions bash)",
    "  -h, --help                         this help"
  ]
  return lines.join("\n") + "\n"
}
