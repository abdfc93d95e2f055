import * as Help from "./Help.js"
console.log(Help.mainHelp("0.3.0"))
for (const n of Help.commandNames) console.log(Help.commandHelp(n))
