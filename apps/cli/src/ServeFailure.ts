/**
 * Why `descent serve` could not start, as a value: a reason, what it concerns (the folder, the
 * host and port), and a one-line message that says what to do. Every one is found before the
 * server answers its first request, and exits 1.
 *
 * Not for: a model file, a run record or a data folder that does not read — those fail with
 * their own errors (`@descent/files`, `@descent/data`) — or a request the server refuses (it
 * answers those itself, with a status).
 *
 * @since 0.3.0
 */
import { Data } from "effect"

/**
 * Why the server could not start.
 *
 * @since 0.3.0
 * @category models
 */
export type ServeFailureReason =
  | "PageNotBuilt"
  | "RunsFolderMissing"
  | "RunsNotAFolder"
  | "PortInUse"
  | "PortForbidden"
  | "NoSuchAddress"
  | "CannotListen"

/**
 * A server that could not start.
 *
 * @since 0.3.0
 * @category errors
 */
export class ServeFailure extends Data.TaggedError("ServeFailure")<{
  readonly reason: ServeFailureReason
  /** The folder, or `host:port`, the failure concerns. */
  readonly where: string
  /** What the system said, where it said something. */
  readonly detail?: string | undefined
}> {
  override get message(): string {
    const detail = this.detail === undefined ? "" : ` (${this.detail})`
    switch (this.reason) {
      case "PageNotBuilt":
        return `the page is not built: ${this.where} is missing${detail}; build it with: npx -y pnpm@10 build (in descent's repository folder)`
      case "RunsFolderMissing":
        return `--runs ${this.where}: no such folder${detail}; give the folder that holds the runs' folders (descent train writes them under runs/)`
      case "RunsNotAFolder":
        return `--runs ${this.where}: is a file, not a folder; give the folder that holds the runs' folders (descent train writes them under runs/)`
      case "PortInUse":
        return `${this.where} is in use (by another program, or another descent serve); give another --port, or --port 0 for any free one`
      case "PortForbidden":
        return `${this.where} may not be opened by this user${detail}; give a --port of 1024 or more, or --port 0 for any free one`
      case "NoSuchAddress":
        return `--host ${this.where} is not an address of this machine${detail}; give one of its addresses, or leave --host out for 127.0.0.1 (this machine only)`
      case "CannotListen":
        return `cannot listen on ${this.where}${detail}; try another --port, or --port 0 for any free one`
    }
  }
}
