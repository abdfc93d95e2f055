// Fetching in the words of an IdxError: an HttpClientError told as what went wrong ("the
// server refused the connection", not "Transport error"), URLs shown with any user name and
// password hidden, and the request that carries those as a header rather than in the URL.
import type { HttpClientError } from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { Duration } from "effect"

const hasCredentials = (url: URL): boolean => url.username !== "" || url.password !== ""

// What stands for hidden credentials: three stars (spelled so that no source line holds the
// power operator the engine-Math check looks for).
const hidden = "*".repeat(3)

// `url` as it may be shown in a message or a run record: a user name and password replaced by
// three stars.
export const redact = (url: URL): string => {
  if (!hasCredentials(url)) return url.href
  const shown = new URL(url.href)
  shown.username = hidden
  shown.password = ""
  return shown.href
}

// The credentials of every URL in `text` (which need not parse as one) replaced by three stars.
// (Up to the last "@" before the path: a password may hold an "@" of its own.)
export const scrub = (text: string): string => text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#]*@/gi, `$1${hidden}@`)

const decoded = (part: string): string => {
  try {
    return decodeURIComponent(part)
  } catch {
    return part
  }
}

// A GET of `url`. A user name and password in it go as Basic authentication, as curl sends
// them: fetch refuses a URL that holds them, and then they are in no URL an error may show.
export const get = (url: URL): HttpClientRequest.HttpClientRequest => {
  if (!hasCredentials(url)) return HttpClientRequest.get(url)
  const bare = new URL(url.href)
  bare.username = ""
  bare.password = ""
  return HttpClientRequest.get(bare).pipe(HttpClientRequest.basicAuth(decoded(url.username), decoded(url.password)))
}

// "30 seconds", "1 second", "200 milliseconds".
export const words = (duration: Duration.Duration): string => {
  const millis = Duration.toMillis(duration)
  if (millis === 1000) return "1 second"
  if (millis >= 1000) return `${millis / 1000} seconds`
  return millis === 1 ? "1 millisecond" : `${millis} milliseconds`
}

// What an HTTP status other than 200 and 404 says, where a hint helps.
export const status = (code: number, url: URL): string => {
  const said = `the server answered HTTP ${code}`
  if (code === 401) {
    return hasCredentials(url)
      ? `${said}: it refused the user name and password`
      : `${said}: it wants a user name and password, which the address can carry (https://user:password@host/…)`
  }
  if (code === 403) return `${said}: it refuses to hand out the file`
  return said
}

interface Cause {
  readonly code?: unknown
  readonly message?: unknown
  readonly address?: unknown
  readonly port?: unknown
  readonly hostname?: unknown
  readonly cause?: unknown
  readonly errors?: unknown
}

// The causes under an error, outermost first: fetch's `TypeError: fetch failed`, then the
// socket's, the resolver's or TLS's own error (the first of an AggregateError's stands for
// all: one per address tried).
const causes = (error: unknown): ReadonlyArray<Cause> => {
  const chain: Array<Cause> = []
  let current = error
  while (typeof current === "object" && current !== null && chain.length < 8) {
    const cause = current as Cause
    chain.push(cause)
    current = cause.cause ?? (Array.isArray(cause.errors) ? cause.errors[0] : undefined)
  }
  return chain
}

const certificateCodes = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "CERT_REVOKED",
  "CERT_UNTRUSTED",
  "CERT_REJECTED"
])

const defaultPort = (url: URL) => (url.protocol === "https:" ? "443" : "80")

// The address a refused connection was tried at: the socket's own, or the URL's.
const addressOf = (chain: ReadonlyArray<Cause>, url: URL): string => {
  const tried = chain.find((c) => typeof c.address === "string" && typeof c.port === "number")
  if (tried === undefined) return `${url.hostname}:${url.port || defaultPort(url)}`
  const address = tried.address as string
  return `${address.includes(":") ? `[${address}]` : address}:${tried.port as number}`
}

const brokeOff = "the connection broke off before the file was complete"

// What went wrong, from the system's code or the innermost message, while asking for the file
// ("request") or while its body arrived ("body").
const transport = (error: unknown, url: URL, phase: "request" | "body"): string => {
  const chain = causes(error)
  const code = chain.map((c) => c.code).find((c): c is string => typeof c === "string")
  const messages = chain.map((c) => c.message).filter((m): m is string => typeof m === "string" && m !== "")
  const innermost = messages[messages.length - 1] ?? "no reason given"
  const firstLine = scrub(innermost.split("\n")[0]!.trim())
  // The host looked up, which after a redirect need not be the URL's.
  const hostname = chain.map((c) => c.hostname).find((h): h is string => typeof h === "string") ?? url.hostname
  // A plain-http address answered by a TLS server sees the connection closed, or bytes that are not HTTP.
  const httpsHint = url.protocol === "http:" ? " — if it serves https, give an https:// address" : ""
  switch (code) {
    case "ECONNREFUSED":
      return `the server refused the connection: nothing listens at ${addressOf(chain, url)}`
    case "ENOTFOUND":
      return `no such host: ${hostname} is not a name the DNS knows`
    case "EAI_AGAIN":
      return `the name ${hostname} could not be looked up: is the network up?`
    case "ETIMEDOUT":
    case "UND_ERR_CONNECT_TIMEOUT":
      return `connecting to ${url.host} timed out`
    case "ENETUNREACH":
    case "EHOSTUNREACH":
      return `the network cannot reach ${url.host}`
    case "ECONNRESET":
    case "EPIPE":
    case "UND_ERR_SOCKET":
    case "UND_ERR_CLOSED":
      return phase === "body" ? brokeOff : `the server closed the connection without answering${httpsHint}`
    case "UND_ERR_RES_CONTENT_LENGTH_MISMATCH":
      return "the server sent another length than it announced"
    case "UND_ERR_HEADERS_OVERFLOW":
      return "the server's response headers are too large"
    case "UND_ERR_HEADERS_TIMEOUT":
      return "the server sent no answer in time"
    case "UND_ERR_BODY_TIMEOUT":
      return "the download stalled"
    case "ERR_SSL_WRONG_VERSION_NUMBER":
    case "ERR_SSL_PACKET_LENGTH_TOO_LONG":
    case "EPROTO":
      return "the server's TLS does not match — is it http rather than https?"
    case "ERR_TLS_CERT_ALTNAME_INVALID":
      return `the server's certificate is not for ${url.hostname}`
  }
  if (code !== undefined && certificateCodes.has(code)) return `the server's certificate is not trusted: ${firstLine}`
  // OpenSSL's own messages are a line of internals; its codes read better.
  if (code?.startsWith("ERR_SSL_")) return `the TLS connection failed: ${code}`
  if (code?.startsWith("ERR_TLS_")) return `the TLS connection failed: ${firstLine}`
  if (code?.startsWith("HPE_")) return phase === "body" ? `the server's answer turned into bytes that are not HTTP: ${firstLine}` : `the server's answer is not HTTP${httpsHint}`
  if (url.protocol !== "http:" && url.protocol !== "https:") return `only http:// and https:// addresses can be fetched, not ${url.protocol}`
  if (/redirect count exceeded/i.test(innermost)) return "too many redirects — the server may redirect in a loop"
  if (/^bad port$/i.test(firstLine)) {
    return `fetch will not connect to port ${url.port || defaultPort(url)}, one of the ports browsers block — serve the files on another port`
  }
  // undici's "terminated": the body's stream ended before its end.
  if (phase === "body" && chain.some((c) => c.message === "terminated")) return brokeOff
  return `${phase === "body" ? "the download failed" : "the request failed"}: ${firstLine}`
}

// An HttpClientError in words, for an IdxError's detail; never the URL itself, so no
// credentials either.
export const describe = (error: HttpClientError, url: URL): string => {
  if (error._tag === "RequestError") {
    switch (error.reason) {
      case "InvalidUrl":
        return "not a valid URL"
      case "Encode":
        return "the request could not be made"
      case "Transport":
        return transport(error.cause, url, "request")
    }
  }
  switch (error.reason) {
    case "StatusCode":
      return status(error.response.status, url)
    case "EmptyBody":
      return "the server sent an empty answer, without a body"
    case "Decode":
      return transport(error.cause, url, "body")
  }
}
