/**
 * What `descent serve` answers, URL by URL — read-only, GET and HEAD only:
 *
 * ```
 * /                                 the page (index.html of the page's folder)
 * /<file>                           a file of the page's folder (main.js, worker.js, style.css, …)
 * /mnist/<name>                     one of MNIST's four files, under one of its names (raw or .gz):
 *                                   from --data DIR when given, else the page's gzipped copy
 * /api/config                       what there is to load: { model, modelName, runs, data, dataSource }
 * /api/model                        the --model file
 * /api/runs/<name>/run.json         a run found under --runs DIR, and its model.json
 * /api/runs/<name>/model.json
 * ```
 *
 * Everything else is 404, and a file outside these is never sent: a request's path is checked
 * before it is looked up (see `RequestTarget`), the page's files must really lie inside its
 * folder (see `StaticRoot`), and the other files are a list fixed at start. Refused before any
 * of that: a target over 2,048 bytes (414), another method (405, `Allow: GET, HEAD`), a request
 * with a body (413), and — when the server listens on this machine only — a Host header that
 * names another site (403), which is how a page elsewhere would reach it by DNS rebinding.
 *
 * Not for: listening, or checking what is served before the server starts (see `commands/Serve`).
 *
 * @since 0.3.0
 */
import { Mnist } from "@descent/data"
import type { TrainingOptions } from "@descent/files"
import type * as FileSystem from "@effect/platform/FileSystem"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import type * as Path from "@effect/platform/Path"
import { Effect, Option } from "effect"
import * as FileResponse from "./FileResponse.js"
import * as RequestTarget from "./RequestTarget.js"
import type * as RunIndex from "./RunIndex.js"
import * as StaticRoot from "./StaticRoot.js"

/**
 * Everything the server serves, fixed when it starts.
 *
 * @since 0.3.0
 * @category models
 */
export interface Site {
  /** The page's folder, its real path (see `StaticRoot.open`). */
  readonly root: string
  /** The --model file, and its name for the page to show (the path as it was given). */
  readonly model: Option.Option<{ readonly path: string; readonly name: string }>
  /** The runs found under --runs. */
  readonly runs: ReadonlyArray<RunIndex.Run>
  /** With --data, MNIST's files by the name they are asked for; without, the page's copy is served. */
  readonly data: Option.Option<ReadonlyMap<string, string>>
  /** Where that data comes from, as a run trained in the page records it (so descent replay finds it). */
  readonly dataSource: TrainingOptions.DataSource
  /** The host names a request may give, when the server listens on this machine only; `None`: any. */
  readonly hosts: Option.Option<ReadonlyArray<string>>
}

/**
 * Every name under which `/mnist/` serves a file: each of MNIST's four files under each of its
 * names, raw and gzipped (the page's loader tries them in this order, moving on at a 404).
 *
 * @since 0.3.0
 * @category routes
 */
export const mnistNames: ReadonlyArray<string> = (["trainImages", "trainLabels", "testImages", "testLabels"] as const).flatMap(Mnist.fileNames)

/**
 * What `/api/config` answers: where the page finds the model (and what to call it), the runs
 * and the data (and what a run trained on it records as its source).
 *
 * @since 0.3.0
 * @category routes
 */
export const config = (site: Site) => ({
  model: Option.isSome(site.model) ? "/api/model" : null,
  ...(Option.isSome(site.model) ? { modelName: site.model.value.name } : {}),
  runs: site.runs.map((run) => {
    const base = `/api/runs/${run.name.split("/").map(encodeURIComponent).join("/")}`
    return { name: run.name, run: `${base}/run.json`, model: Option.isSome(run.model) ? `${base}/model.json` : null }
  }),
  data: "/mnist/",
  dataSource: site.dataSource
})

/**
 * The host names that reach this machine itself, which a browser on it may put in a Host header.
 *
 * @since 0.3.0
 * @category hosts
 */
export const loopbackNames: ReadonlyArray<string> = ["localhost", "127.0.0.1", "[::1]"]

// The host name of a Host header ("localhost:8080" → "localhost", "[::1]:8080" → "[::1]").
const hostName = (header: string): string =>
  (header.startsWith("[") ? header.slice(0, header.indexOf("]") + 1) : header.split(":")[0]!).toLowerCase()

const allowedHost = (header: string | undefined, hosts: ReadonlyArray<string>): boolean => {
  if (header === undefined) return true // HTTP/1.0 without one: not a browser's request
  const name = hostName(header)
  return hosts.includes(name) || name.endsWith(".localhost") || /^127\.\d+\.\d+\.\d+$/.test(name)
}

const refusal = (status: number, text: string, headers: Record<string, string> = {}) =>
  HttpServerResponse.text(`${text}\n`, { status, headers: { ...FileResponse.commonHeaders, "cache-control": "no-store", ...headers } })

const notFound = refusal(404, "not found")

const sent = (file: Option.Option<string>, cacheControl: string) =>
  Option.match(file, {
    onNone: () => Effect.succeed(notFound),
    onSome: (path) => Effect.map(FileResponse.send(path, cacheControl), Option.getOrElse(() => notFound))
  })

// The page's files may change with each build: a browser asks again each time.
const fromPage = (site: Site, segments: ReadonlyArray<string>) =>
  Effect.flatMap(StaticRoot.resolve(site.root, segments), (file) => sent(file, "no-cache"))

const route = (site: Site, segments: ReadonlyArray<string>) => {
  const [first, second, ...rest] = segments
  if (segments.length === 0) return fromPage(site, ["index.html"])
  if (first === "mnist") {
    if (second === undefined || rest.length > 0 || !mnistNames.includes(second)) return Effect.succeed(notFound)
    return Option.match(site.data, {
      onNone: () => fromPage(site, segments),
      onSome: (files) => sent(Option.fromNullable(files.get(second)), "no-cache")
    })
  }
  if (first !== "api") return fromPage(site, segments)
  // What the API names may change while the server runs (a run still training): never kept.
  if (second === "config" && rest.length === 0) {
    return Effect.succeed(HttpServerResponse.unsafeJson(config(site), { headers: { ...FileResponse.commonHeaders, "cache-control": "no-store" } }))
  }
  if (second === "model" && rest.length === 0) return sent(Option.map(site.model, (model) => model.path), "no-store")
  const file = rest[rest.length - 1]
  if (second === "runs" && rest.length >= 2 && (file === "run.json" || file === "model.json")) {
    const name = rest.slice(0, -1).join("/")
    const run = site.runs.find((r) => r.name === name)
    if (run === undefined) return Effect.succeed(notFound)
    return sent(file === "run.json" ? Option.some(run.run) : run.model, "no-store")
  }
  return Effect.succeed(notFound)
}

/**
 * The server's answer to the request at hand.
 *
 * @since 0.3.0
 * @category app
 */
export const app = (
  site: Site
): Effect.Effect<HttpServerResponse.HttpServerResponse, never, HttpServerRequest.HttpServerRequest | FileSystem.FileSystem | Path.Path> =>
  Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) => {
    const target = RequestTarget.parse(request.url)
    if (target._tag === "Refused" && target.status === 414) return Effect.succeed(refusal(414, target.reason))
    if (request.method !== "GET" && request.method !== "HEAD") {
      return Effect.succeed(refusal(405, "descent serve is read-only: GET and HEAD only", { allow: "GET, HEAD" }))
    }
    if (Number(request.headers["content-length"] ?? 0) > 0 || request.headers["transfer-encoding"] !== undefined) {
      // The body is not read: the connection is closed after the answer rather than drained.
      return Effect.succeed(refusal(413, "a request to descent serve has no body", { connection: "close" }))
    }
    if (Option.isSome(site.hosts) && !allowedHost(request.headers["host"], site.hosts.value)) {
      return Effect.succeed(refusal(403, "descent serve answers requests for this machine only (open it at localhost or 127.0.0.1)"))
    }
    if (target._tag === "Refused") return Effect.succeed(refusal(target.status, target.status === 404 ? "not found" : target.reason))
    return route(site, target.segments)
  })
