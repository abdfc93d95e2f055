/**
 * A file on disk as the answer to a request: streamed from disk (never read whole into
 * memory) with its Content-Length, a Content-Type from its extension, and
 * `X-Content-Type-Options: nosniff`, so that a browser takes each file for what its name says
 * and nothing else. Only a regular file is sent; anything else at the path is not found. A HEAD
 * request gets the same headers, and the file is never opened.
 *
 * Not for: deciding which path a request may read (see `RequestTarget`, `StaticRoot`, `Site`).
 *
 * @since 0.3.0
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { Effect, Option } from "effect"

const types: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".map": "application/json",
  ".txt": "text/plain; charset=utf-8",
  ".png": "image/png",
  ".svg": "image/svg+xml",
  ".ico": "image/x-icon",
  ".wasm": "application/wasm",
  ".woff2": "font/woff2",
  // Gzipped IDX files are sent as they are: the page's loader gunzips them itself, when their
  // bytes say gzip (a Content-Encoding would have the browser do it first).
  ".gz": "application/octet-stream"
}

/**
 * The Content-Type of a file named `name`: by its extension, and `application/octet-stream`
 * for any other (raw IDX files have none).
 *
 * @since 0.3.0
 * @category headers
 */
export const contentType = (name: string): string => {
  const dot = name.lastIndexOf(".")
  return (dot > name.lastIndexOf("/") ? types[name.slice(dot).toLowerCase()] : undefined) ?? "application/octet-stream"
}

/**
 * Headers every answer carries, files and refusals alike.
 *
 * @since 0.3.0
 * @category headers
 */
export const commonHeaders: Readonly<Record<string, string>> = { "x-content-type-options": "nosniff" }

/**
 * The regular file at `path` as a 200 response, or `None` when there is no regular file there
 * (missing, a folder, a device, unreadable). `cacheControl` says how long a browser may keep it.
 *
 * @since 0.3.0
 * @category responses
 */
export const send = (
  path: string,
  cacheControl: string
): Effect.Effect<Option.Option<HttpServerResponse.HttpServerResponse>, never, FileSystem.FileSystem> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const info = yield* Effect.option(fs.stat(path))
    if (Option.isNone(info) || info.value.type !== "File") return Option.none()
    const size = Number(info.value.size)
    const type = contentType(path)
    return Option.some(
      // Never more than the Content-Length promised, should the file grow while it is sent.
      HttpServerResponse.stream(fs.stream(path, { bytesToRead: size }), {
        contentType: type,
        contentLength: size,
        headers: { ...commonHeaders, "content-type": type, "content-length": String(size), "cache-control": cacheControl }
      })
    )
  })
