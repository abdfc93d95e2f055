// Installs the engines the tests replay runs on (Bun, Deno, playwright-core) and the runtimes
// exported models are checked in (ONNX Runtime, TensorFlow.js) into test/engines/node_modules,
// from this folder's own lockfile (see package.json). The test command runs it; the first
// command of the README does not, so training stays a light install.
//
// Chromium is not an npm package: CI installs Debian's (`apt-get install chromium`); without it
// the browser test says how to get it and is skipped.
import { fileURLToPath } from "node:url"
import { installFolder } from "../folder-install.mjs"

installFolder(fileURLToPath(new URL(".", import.meta.url)), "Bun, Deno, playwright-core, ONNX Runtime and TensorFlow.js for the cross-engine and exported-model tests")
