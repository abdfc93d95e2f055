// A platform error in the words of an IdxError's detail: "permission denied", or the
// error's reason ("BadResource") or message.
import type { PlatformError } from "@effect/platform/Error"

export const describe = (error: PlatformError): string =>
  error._tag !== "SystemError" ? error.message : error.reason === "PermissionDenied" ? "permission denied" : error.reason
