// The kernels module's exports: the loops the host calls itself (kernels.ts: the small dense
// layers, the steps, transposing, scanning plain inputs) and layer 1's loops as jobs that the
// threads sharing the memory each do their part of (jobs.ts, which calls kernels.ts's layer-1
// loops itself).
export { addBias, combine, denseGradient, scanInputs, stepRange, transpose } from "./kernels"
export * from "./jobs"
