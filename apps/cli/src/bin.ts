/**
 * The `descent` executable: runs the command line with Node's file system and paths, the data
 * sets of Node's disk and network, and the terminal for output; prints an expected failure as
 * one line on stderr, and exits 0 (ok), 1 (failure), 2 (usage error) or
 * 130 (stopped by Ctrl-C, the shell's convention).
 *
 * @since 0.1.0
 */
import { ValidationError } from "@effect/cli"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { Cause, Console, Effect, Exit, Layer, Option } from "effect"
import { cli } from "./Cli.js"
import * as CommandLine from "./CommandLine.js"
import * as Completions from "./Completions.js"
import * as Datasets from "./Datasets.js"
import * as Help from "./Help.js"
import * as Output from "./Output.js"
import { versions } from "./Versions.js"

// @effect/cli colours its help even when it goes to a file or pipe: strip the escape codes
// unless the output is a terminal that wants them. Its usage errors (the only thing it writes
// with Console.error) become one plain line, like every other error of descent.
const plain = !process.stdout.isTTY || process.env.NO_COLOR !== undefined
const stripAnsi = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, "")
const show = (args: ReadonlyArray<unknown>) => args.map((arg) => (typeof arg === "string" && plain ? stripAnsi(arg) : arg))
// Every error is one line of bounded length: newlines and control characters become spaces,
// and a message that quotes too much of its input is cut (messages never need 600 characters).
const maxMessage = 590
const oneLineOf = (message: string): string => {
  const flat = message.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, " ").replace(/ {2,}/g, " ").trim()
  return flat.length <= maxMessage ? flat : `${flat.slice(0, maxMessage - 1)}…`
}

// The help that explains what the parser refused: the command's own, when one was named.
const helpHint = (): string => {
  const command = process.argv[2]
  return command !== undefined && (Help.commandNames as ReadonlyArray<string>).includes(command) ? `descent ${command} --help` : "descent --help"
}

const oneLine = (args: ReadonlyArray<unknown>) =>
  `descent: ${oneLineOf(`${stripAnsi(args.map(String).join(" ")).trim().replace(/\s*\n\s*/g, "; ")} (see ${helpHint()})`)}`

const console_ = (console: Console.Console): Console.Console => ({
  ...console,
  log: (...args) => console.log(...show(args)),
  error: (...args) => console.error(oneLine(args)),
  unsafe: {
    ...console.unsafe,
    log: (...args: ReadonlyArray<unknown>) => console.unsafe.log(...show(args)),
    error: (...args: ReadonlyArray<unknown>) => console.unsafe.error(oneLine(args))
  }
})

const exitCode = (cause: Cause.Cause<unknown>): number => {
  const failure = Cause.failureOption(cause)
  if (Option.isNone(failure)) {
    if (Cause.isInterruptedOnly(cause)) return 130
    // A defect is a bug of descent's, never the user's input: one line, and where it happened
    // only when asked for.
    const [defect] = Cause.defects(cause)
    const what = defect instanceof Error ? `${defect.name}: ${defect.message}` : String(defect ?? "unknown")
    if (process.env.DESCENT_DEBUG !== undefined) process.stderr.write(`${Cause.pretty(cause)}\n`)
    process.stderr.write(`descent: internal error: ${oneLineOf(what)} (a bug in descent, not in your input: please report it with the command you ran; DESCENT_DEBUG=1 shows where it happened)\n`)
    return 1
  }
  const error = failure.value
  // @effect/cli has already printed its own message for these.
  if (ValidationError.isValidationError(error)) return 2
  const tag = (error as { _tag?: string })._tag
  const message = error instanceof Error ? error.message : String(error)
  process.stderr.write(`descent: ${oneLineOf(message)}\n`)
  return tag === "UsageError" ? 2 : tag === "Interrupted" ? 130 : 1
}

// The edge: every service a command uses, for a terminal on Node.
const layer = Layer.mergeAll(Datasets.node, Output.terminal).pipe(Layer.provideMerge(NodeContext.layer))

const program = Effect.flatMap(Effect.console, (console) =>
  cli(process.argv).pipe(Effect.provide(layer), Effect.withConsole(console_(console)))
)

// A reader that stops early (`descent mistakes … | head`) closes the pipe: that is not an
// error. Any other failure to write the results is, once the work has finished.
const stdoutProblem = (): number => {
  const failure = Output.terminalFailure()
  if (failure === undefined || failure.code === "EPIPE") return 0
  const why = failure.code === "ENOSPC" ? "the disk is full" : failure.code ?? failure.message
  process.stderr.write(`descent: cannot write the results to standard output (${oneLineOf(why)}); the work itself was done\n`)
  return 1
}

// Relative paths are resolved against the current folder: it must still exist. Under
// `pnpm descent …` (or `npm run descent`), the package manager runs descent in the repository's
// folder and names the one the user typed the command in as INIT_CWD: paths are meant from there.
try {
  if (process.env.npm_lifecycle_event === "descent" && process.env.INIT_CWD !== undefined) process.chdir(process.env.INIT_CWD)
  process.cwd()
} catch {
  process.stderr.write("descent: the current folder no longer exists; cd to one that does (or give absolute paths)\n")
  process.exit(1)
}

// What needs answering before the parser: help, completions, a misspelt command or flag.
const args = process.argv.slice(2)
const early = CommandLine.answer(args, versions.descent ?? "dev")
const shell = args[0] === "--completions" && args.length === 2 ? Completions.shells.find((s) => s === args[1]) : undefined
if (early._tag === "Help") {
  process.stdout.write(early.text)
} else if (early._tag === "Refuse") {
  process.stderr.write(`${oneLineOf(early.error)}\n`)
  process.exitCode = 2
} else if (shell !== undefined) {
  Effect.runPromise(Completions.script(shell)).then((script) => process.stdout.write(script))
} else {
  Effect.runPromiseExit(program).then((exit) => {
    process.exitCode = Exit.isSuccess(exit) ? stdoutProblem() : exitCode(exit.cause)
  })
}
