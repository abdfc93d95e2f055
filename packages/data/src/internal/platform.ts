// A platform error in the words of an IdxError's detail: "permission denied", or the
// error's reason ("BadResource") or message.
import type { PlatformError } from "@effect/platform/Error"

export const describe = (error: PlatformError): string =>
  error._tag !== "SystemError" ? error.message : error.reason === "PermissionDenied" ? "permission denied" : error.reason

// The system's own code ("EISDIR"), where the platform kept it.
export const codeOf = (error: PlatformError): string | undefined => {
  if (error._tag !== "SystemError") return undefined
  const cause = error.cause as { readonly code?: unknown } | undefined
  return typeof cause?.code === "string" ? cause.code : /^([A-Z][A-Z0-9]+):/.exec(error.description ?? "")?.[1]
}
