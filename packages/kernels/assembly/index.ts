// The kernels module's exports: the loops the host calls itself (kernels.ts: the small dense
// layers, the steps, transposing, scanning plain inputs; optimisers.ts: the update rules beside
// plain descent's; activations.ts: a layer's sigmoids)
// and layer 1's loops as jobs that the threads sharing the memory each do their part of
// (jobs.ts, which calls kernels.ts's layer-1 loops and the sigmoids itself).
export {
  addBias32, addBias64, combine32, combine64, denseGradient32, denseGradient64, scanInputs32, scanInputs64, sumColumns32, sumColumns64,
  stepRange32, stepRange64, transpose32, transpose64
} from "./kernels"
export { optimise32, optimise64 } from "./optimisers"
export { heapBase, sigmoidBackward32, sigmoidBackward64, sigmoidRows32, sigmoidRows64 } from "./activations"
export * from "./jobs"
