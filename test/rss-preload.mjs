// Loaded into a descent process by the tests (node --import): on exit, writes the process's
// peak resident set size, in kilobytes, to the file DESCENT_RSS_FILE names — how the tests
// measure the memory a command took, without a timing or a platform tool.
import { writeFileSync } from "node:fs"

const file = process.env.DESCENT_RSS_FILE
if (file !== undefined) process.on("exit", () => writeFileSync(file, String(process.resourceUsage().maxRSS)))
