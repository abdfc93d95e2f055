// The platform's file system in the words of an IdxError: its errors as a detail, and what a
// path is (a file, a folder, a pipe, a link that loops) told before anything opens it.
import type { PlatformError } from "@effect/platform/Error"
import type * as FileSystem from "@effect/platform/FileSystem"
import { Effect, Option } from "effect"
import { IdxError } from "../IdxError.js"

// A platform error in the words of an IdxError's detail: "permission denied", or the
// error's reason ("BadResource") or message.
export const describe = (error: PlatformError): string =>
  error._tag !== "SystemError" ? error.message : error.reason === "PermissionDenied" ? "permission denied" : error.reason

// The system's own code ("EISDIR"), where the platform kept it.
export const codeOf = (error: PlatformError): string | undefined => {
  if (error._tag !== "SystemError") return undefined
  const cause = error.cause as { readonly code?: unknown } | undefined
  return typeof cause?.code === "string" ? cause.code : /^([A-Z][A-Z0-9]+):/.exec(error.description ?? "")?.[1]
}

export const isNotFound = (error: PlatformError): boolean => error._tag === "SystemError" && error.reason === "NotFound"

// Where the symbolic link at `path` finally leads, or none when `path` is not a link.
const linkTarget = (fs: FileSystem.FileSystem, path: string): Effect.Effect<Option.Option<string>> =>
  fs.readLink(path).pipe(
    Effect.flatMap((target) => fs.realPath(path).pipe(Effect.orElseSucceed(() => target))),
    Effect.option
  )

// The file at `path`, looked at through any symbolic links (as `stat` does) before it is
// opened; none when nothing at all is there. A link that loops, and a link to nothing, fail
// with their own reasons (`stat` says "not found" of both a missing file and a link whose
// target is missing; `readLink` tells them apart); any other failure is what `otherwise` says.
export const lookAt = (
  fs: FileSystem.FileSystem,
  path: string,
  otherwise: (error: PlatformError) => IdxError
): Effect.Effect<Option.Option<FileSystem.File.Info>, IdxError> =>
  fs.stat(path).pipe(
    Effect.map(Option.some),
    Effect.catchAll((error) => {
      if (codeOf(error) === "ELOOP") return Effect.fail(new IdxError({ reason: "LinkLoop", path }))
      if (!isNotFound(error)) return Effect.fail(otherwise(error))
      return fs.readLink(path).pipe(
        Effect.matchEffect({
          onFailure: () => Effect.succeed(Option.none()),
          onSuccess: (target) => Effect.fail(new IdxError({ reason: "DanglingLink", path, detail: `it points to ${target}` }))
        })
      )
    })
  )

const kinds: Record<FileSystem.File.Type, string> = {
  File: "a regular file",
  Directory: "a folder",
  SymbolicLink: "a symbolic link",
  BlockDevice: "a block device",
  CharacterDevice: "a character device",
  FIFO: "a named pipe",
  Socket: "a socket",
  Unknown: "a kind of file the system does not name"
}

// Fails unless `info`, what `lookAt` found at `path`, is a regular file: a pipe would block
// the read until something writes to it, and a device such as /dev/zero never ends.
export const requireRegular = (
  fs: FileSystem.FileSystem,
  path: string,
  info: FileSystem.File.Info
): Effect.Effect<void, IdxError> => {
  if (info.type === "File") return Effect.void
  if (info.type === "Directory") return Effect.fail(new IdxError({ reason: "NotAFile", path }))
  return Effect.flatMap(linkTarget(fs, path), (target) =>
    Effect.fail(
      new IdxError({
        reason: "NotRegular",
        path,
        detail: Option.match(target, {
          onNone: () => kinds[info.type],
          onSome: (to) => `${kinds[info.type]}: the symbolic link leads to ${to}`
        })
      })
    ))
}
