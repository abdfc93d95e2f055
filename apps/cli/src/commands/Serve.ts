/**
 * `descent serve`: the page (`@descent/web`'s built folder) on a small local HTTP server, with
 * what the page may load — a model, the runs of a folder, a data folder — listed in
 * `/api/config` (see `Site` for every URL). Everything it serves is checked before it listens:
 * the page is built, the model reads, the data folder holds the four files, each run record
 * reads (a run that does not is skipped with a warning). It prints its address, one line on
 * stdout, and serves until Ctrl-C or SIGTERM, then stops cleanly (exit 0).
 *
 * @since 0.3.0
 */
import type { Memory } from "@descent/core"
import { Mnist } from "@descent/data"
import { ModelFile } from "@descent/files"
import * as FileSystem from "@effect/platform/FileSystem"
import type { ServeError } from "@effect/platform/HttpServerError"
import * as HttpServer from "@effect/platform/HttpServer"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as Path from "@effect/platform/Path"
import { Effect, Option } from "effect"
import { createServer, type Server } from "node:http"
import { UsageError } from "../CliError.js"
import * as Datasets from "../Datasets.js"
import * as Output from "../Output.js"
import * as RunIndex from "../RunIndex.js"
import { ServeFailure } from "../ServeFailure.js"
import * as Site from "../Site.js"
import * as StaticRoot from "../StaticRoot.js"
import * as StopSignal from "../StopSignal.js"

// Request headers beyond this are refused by Node itself (431): a page needs far less.
const maxHeaderSize = 8192

// An address as a URL writes it: IPv6 in brackets.
const inUrl = (host: string) => (host.includes(":") ? `[${host}]` : host)

const isLoopback = (address: string) => /^127\./.test(address) || address === "::1" || /^::ffff:127\./i.test(address)

// The data folder's four files, by the name each was found under (which the page asks for),
// and the source a run trained on them records.
const dataFiles = (data: Option.Option<string>) =>
  Effect.gen(function* () {
    const source = yield* Datasets.fromFlag(data)
    if (source.kind === "bundled") return { files: Option.none(), source }
    if (source.kind !== "directory") {
      return yield* new UsageError({ message: `--data ${source.url}: descent serve serves a folder; give a folder in MNIST's layout` })
    }
    const path = yield* Path.Path
    const found = yield* Mnist.findFiles(source.path)
    const files: ReadonlyMap<string, string> = new Map(Object.values(found).map((file) => [path.basename(file), file] as const))
    return { files: Option.some(files), source }
  })

const listenFailure = (error: ServeError, host: string, port: number): ServeFailure => {
  const code = (error.cause as NodeJS.ErrnoException | undefined)?.code
  const where = `port ${port} on ${host}`
  switch (code) {
    case "EADDRINUSE":
      return new ServeFailure({ reason: "PortInUse", where })
    case "EACCES":
    case "EPERM":
      return new ServeFailure({ reason: "PortForbidden", where, detail: port < 1024 ? "ports below 1024 need privileges" : code })
    case "EADDRNOTAVAIL":
    case "ENOTFOUND":
    case "EAI_AGAIN":
    case "EAI_NONAME":
      return new ServeFailure({ reason: "NoSuchAddress", where: host, detail: code })
    default:
      return new ServeFailure({ reason: "CannotListen", where, detail: code ?? String((error.cause as Error | undefined)?.message ?? error.cause) })
  }
}

// The runs under --runs, each that does not read warned of; a warning too when there are none.
const findRuns = (runs: Option.Option<string>, limit: Memory.Limit) =>
  Effect.gen(function* () {
    if (Option.isNone(runs)) return []
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const found = yield* RunIndex.find(path.resolve(runs.value), limit)
    for (const reason of found.skipped) yield* Output.note(`warning: skipped a run: ${reason}`)
    if (found.runs.length === 0) {
      const isRun = yield* fs.exists(path.join(runs.value, "run.json")).pipe(Effect.orElseSucceed(() => false))
      const above = isRun ? ` (it is a run's folder itself: give the folder that holds it, --runs ${path.dirname(path.resolve(runs.value))})` : ""
      yield* Output.note(`warning: no runs under ${runs.value}: no folder one or two levels down holds a run.json that reads${above}`)
    }
    return found.runs
  })

// Listens on `host` and `port`, prints the address, and serves `site` until SIGINT or SIGTERM.
const serveUntilStopped = (site: Omit<Site.Site, "hosts">, given: { readonly host: string; readonly port: number }) => {
  let server: Server | undefined
  const listening = NodeHttpServer.layer(() => (server = createServer({ maxHeaderSize })), given)
  return Effect.gen(function* () {
    const { address } = yield* HttpServer.HttpServer
    const [host, port] = address._tag === "TcpAddress" ? [address.hostname, address.port] : [given.host, given.port]
    const local = isLoopback(host)
    yield* HttpServer.serveEffect(Site.app({ ...site, hosts: local ? Option.some([...Site.loopbackNames, given.host.toLowerCase()]) : Option.none() }))
    // Stopping does not wait for a browser's open connections: they are closed.
    yield* Effect.addFinalizer(() => Effect.sync(() => server?.closeAllConnections()))
    if (!local) {
      yield* Output.note(
        `warning: listening on ${host}, not only this machine: other machines that reach it can open the page and download what it serves (read-only); leave --host out to serve this machine only`
      )
    }
    yield* Output.line(`descent serve: http://${inUrl(host)}:${port}/ (Ctrl-C stops it)`)
    yield* StopSignal.next
    yield* Output.note("descent serve: stopped")
  }).pipe(
    Effect.scoped,
    Effect.provide(listening),
    Effect.catchTag("ServeError", (error) => Effect.fail(listenFailure(error, given.host, given.port)))
  )
}

/**
 * Runs `descent serve`.
 *
 * @since 0.3.0
 * @category commands
 */
export const run = (flags: {
  readonly model: Option.Option<string>
  readonly runs: Option.Option<string>
  readonly data: Option.Option<string>
  readonly port: number
  readonly host: string
  readonly maxMemory: Memory.Limit
}) =>
  Effect.gen(function* () {
    const path = yield* Path.Path
    // Everything served is checked before the server listens.
    const root = yield* StaticRoot.open(yield* StaticRoot.expected())
    const data = yield* dataFiles(flags.data)
    const model = Option.map(flags.model, (name) => ({ path: path.resolve(name), name }))
    if (Option.isSome(model)) yield* ModelFile.read(model.value.path, flags.maxMemory)
    const runs = yield* findRuns(flags.runs, flags.maxMemory)
    yield* serveUntilStopped({ root, model, runs, data: data.files, dataSource: data.source }, { host: flags.host, port: flags.port })
  })
