// Why the file system refused, in words that say what to do: the system's code where the
// platform kept it (in the cause, or at the head of the description), else the platform's reason,
// else the system's own words on one short line.
import { codeOf, NumericsMismatch, systemProblem } from "@descent/files"
import { BadArgument, SystemError, type SystemErrorReason } from "@effect/platform/Error"
import { describe, expect, it } from "@effect/vitest"

const system = (reason: SystemErrorReason, description?: string, cause?: unknown) =>
  new SystemError({ reason, module: "FileSystem", method: "stat", pathOrDescriptor: "/p", description, cause })
const withCode = (code: string) => system("Unknown", "opaque", { code })

describe("codeOf", () => {
  it("takes the code from the cause, else from the head of the description, and only from a system error", () => {
    expect(codeOf(system("Unknown", "EISDIR: not this one", { code: "ENOTDIR" }))).toBe("ENOTDIR")
    expect(codeOf(system("Unknown", "ENAMETOOLONG: name too long, open '/p'"))).toBe("ENAMETOOLONG")
    expect(codeOf(system("Unknown", "ENOENT: no such file", { code: 2 }))).toBe("ENOENT")
    // A code elsewhere than at the head is words, not the code.
    expect(codeOf(system("Unknown", "open failed: ENOENT: no such file"))).toBeUndefined()
    expect(codeOf(system("Unknown", "no code here"))).toBeUndefined()
    expect(codeOf(system("Unknown"))).toBeUndefined()
    expect(codeOf(new BadArgument({ module: "FileSystem", method: "stat", cause: { code: "ENOENT" } }))).toBeUndefined()
  })
})

describe("systemProblem", () => {
  it("says what to do for every code the system gives", () => {
    const cases: ReadonlyArray<readonly [string, string]> = [
      ["ENOENT", "no such file; give the path of a model file"],
      ["EACCES", "permission denied; check the permissions of the file and its folders (ls -l)"],
      ["EPERM", "permission denied; check the permissions of the file and its folders (ls -l)"],
      ["EISDIR", "is a folder, not a file; give the path of a model file"],
      ["ENOTDIR", "a part of the path is a file, not a folder; check the path"],
      ["ENOSPC", "the disk is full; free some space and try again"],
      ["EROFS", "the file system is read-only; choose a place you can write to"],
      ["ENAMETOOLONG", "the path is too long; choose a shorter one"],
      ["EMFILE", "too many files are open; close some programs and try again"],
      ["ENFILE", "too many files are open; close some programs and try again"]
    ]
    for (const [code, problem] of cases) expect(systemProblem(withCode(code), "a model file"), code).toBe(problem)
    // A missing file when writing is a missing folder.
    expect(systemProblem(withCode("ENOENT"), "a model file", "read")).toBe("no such file; give the path of a model file")
    expect(systemProblem(withCode("ENOENT"), "a model file", "write")).toBe("its folder does not exist; create it, or choose another path")
  })

  it("falls back on the platform's reason, then on the system's words", () => {
    expect(systemProblem(system("NotFound"), "a run record")).toBe("no such file; give the path of a run record")
    expect(systemProblem(system("PermissionDenied"), "a run record")).toBe(
      "permission denied; check the permissions of the file and its folders (ls -l)"
    )
    expect(systemProblem(system("BadResource", "resource\n  busy\tnow"), "x")).toBe("the system refused (resource busy now)")
    expect(systemProblem(system("Busy"), "x")).toBe("the system refused (Busy)")
    expect(systemProblem(new BadArgument({ module: "FileSystem", method: "readFile", description: "bad  flag" }), "x")).toBe(
      "the system refused (FileSystem.readFile: bad flag)"
    )
  })

  it("keeps the system's words to one short line of at most 120 characters", () => {
    expect(systemProblem(system("Unknown", "a".repeat(120)), "x")).toBe(`the system refused (${"a".repeat(120)})`)
    expect(systemProblem(system("Unknown", "b".repeat(121)), "x")).toBe(`the system refused (${"b".repeat(119)}…)`)
  })
})

describe("NumericsMismatch", () => {
  it("names the numerics the record was made with, and how to re-record it", () => {
    const mismatch = (recorded: string) =>
      new NumericsMismatch({ path: "/r/run.json", what: "run record", recorded, current: "wasm-libm-1", rerecord: "descent train" }).message
    expect(mismatch("engine-math")).toBe(
      '/r/run.json: this run record was made with engine-dependent numerics (descent 0.1 took exp and log from the JavaScript engine, whose last bits differ between engines and versions), and this descent computes with "wasm-libm-1", so it cannot be reproduced bit for bit; re-record the run with: descent train'
    )
    expect(mismatch("wasm-libm-0")).toBe(
      '/r/run.json: this run record was made with the numerics "wasm-libm-0", and this descent computes with "wasm-libm-1", so it cannot be reproduced bit for bit; re-record the run with: descent train'
    )
  })
})
