/**
 * The flags of `descent serve`, each with its description, its check and the default `--help`
 * shows: what to serve besides the page (`--model`, `--runs`, `--data`), where to listen
 * (`--port`, `--host`), and `--max-memory` for reading the model and the run records at start.
 *
 * Not for: serving (see `commands/Serve`, `Site`).
 *
 * @since 0.3.0
 */
import { Options } from "@effect/cli"
import { Option } from "effect"
import * as Flag from "./Flag.js"
import * as MemoryFlag from "./MemoryFlag.js"

/**
 * The port `descent serve` listens on unless told otherwise.
 *
 * @since 0.3.0
 * @category defaults
 */
export const defaultPort = 8080

/**
 * The address it listens on unless told otherwise: this machine only.
 *
 * @since 0.3.0
 * @category defaults
 */
export const defaultHost = "127.0.0.1"

const optionalPath = (name: string, pseudo: string, description: string) =>
  Flag.withDefault(
    Flag.text(name).pipe(Options.withPseudoName(pseudo), Options.withDescription(description), Options.map(Option.some)),
    Option.none<string>(),
    "none"
  )

/**
 * Every flag of `descent serve`.
 *
 * @since 0.3.0
 * @category flags
 */
export const flags = {
  model: optionalPath(
    "model",
    "FILE",
    "A model.json written by descent train, for the page to load (served at /api/model). It is read and checked before the server starts."
  ),
  runs: optionalPath(
    "runs",
    "DIR",
    "A folder of runs, like runs/: every folder one or two levels down holding a run.json (runs/chapter, runs/seeds/seed-1) is offered to the page with its model.json. A run.json that does not read is skipped with a warning."
  ),
  data: Flag.withDefault(
    Flag.text("data").pipe(
      Options.withPseudoName("DIR"),
      Options.withDescription(
        "A folder in MNIST's layout (train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte; raw or .gz) for the page to train and test on, served at /mnist/."
      ),
      Options.map(Option.some)
    ),
    Option.none<string>(),
    "the bundled MNIST"
  ),
  port: Flag.withDefault(
    Flag.checked(
      Options.integer("port").pipe(
        Options.withPseudoName("PORT"),
        Options.withDescription("The port to listen on; 0 takes any free one (the address printed says which).")
      ),
      (port) => (port >= 0 && port <= 65535 ? undefined : `--port ${port}: give a port from 1 to 65535, or 0 for any free one`)
    ),
    defaultPort
  ),
  host: Flag.withDefault(
    Flag.text("host").pipe(
      Options.withPseudoName("HOST"),
      Options.withDescription(
        "The address to listen on. The default answers this machine only; another (0.0.0.0: every network) lets other machines open the page and download what it serves (read-only), with a warning."
      )
    ),
    defaultHost
  ),
  maxMemory: MemoryFlag.option
}
