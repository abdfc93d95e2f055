// A request's path, decoded once: every way it could lead out of a folder is refused before
// the file system is asked.
import { describe, expect, it } from "@effect/vitest"
import * as RequestTarget from "../src/RequestTarget.js"

describe("RequestTarget.parse", () => {
  it("decodes a path once into its segments, leaving the query", () => {
    expect(RequestTarget.parse("/")).toEqual({ _tag: "Path", segments: [] })
    expect(RequestTarget.parse("/mnist/t10k-labels-idx1-ubyte.gz?v=2")).toEqual({ _tag: "Path", segments: ["mnist", "t10k-labels-idx1-ubyte.gz"] })
    expect(RequestTarget.parse("/api/runs/my%20run/run.json")).toEqual({ _tag: "Path", segments: ["api", "runs", "my run", "run.json"] })
    // Decoded once: "%252e%252e" is the name "%2e%2e", not "..".
    expect(RequestTarget.parse("/%252e%252e/x")).toEqual({ _tag: "Path", segments: ["%2e%2e", "x"] })
  })

  it("refuses every path that could lead outside, or to a hidden file (404)", () => {
    for (const target of [
      "/..", "/../x", "/a/../../x", "/%2e%2e/x", "/%2E%2e/x", "/.%2e/x", "/a/./b", "/a//b", "/a/", "/.hidden", "/a/.git/config",
      "/a%2fb", "/a%2Fb", "/a%5cb", "/a\\b", "/a%00.js", "/a\u0000b"
    ]) {
      const parsed = RequestTarget.parse(target)
      expect(parsed._tag === "Refused" && parsed.status, target).toBe(404)
    }
  })

  it("refuses what is not a path (400) and a target over 2,048 bytes (414)", () => {
    for (const target of ["*", "http://example.com/", "index.html", "/%zz", "/%e0%a4%a"]) {
      const parsed = RequestTarget.parse(target)
      expect(parsed._tag === "Refused" && parsed.status, target).toBe(400)
    }
    const long = RequestTarget.parse(`/${"a".repeat(RequestTarget.maxLength)}`)
    expect(long._tag === "Refused" && long.status).toBe(414)
    expect(RequestTarget.parse(`/${"a".repeat(RequestTarget.maxLength - 1)}`)._tag).toBe("Path")
  })
})
