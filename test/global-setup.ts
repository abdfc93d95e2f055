// Every test run works in a temporary folder of its own, removed when the run ends: the tests,
// the descent processes they start and the engines they run all make their temporary folders
// through TMPDIR (os.tmpdir() reads it), so a test run leaves nothing behind in the system's
// temporary folder. DESCENT_KEEP_TEMPORARY=1 keeps it, to look at what the tests made.
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

export default function setup(): () => void {
  const folder = mkdtempSync(join(tmpdir(), "descent-tests-"))
  const before = process.env.TMPDIR
  process.env.TMPDIR = folder
  return () => {
    if (before === undefined) delete process.env.TMPDIR
    else process.env.TMPDIR = before
    if (process.env.DESCENT_KEEP_TEMPORARY === undefined) rmSync(folder, { recursive: true, force: true })
    else console.log(`the tests' temporary files are in ${folder}`)
  }
}
