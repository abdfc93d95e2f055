// The escape hatch the public types close: library code that built a vector itself may see it
// as the Float64Array it is. Never used on an array a caller handed in, except to read it.
import type { ReadonlyFloat64Array } from "../Vector.js"

/** The Float64Array behind a read-only vector, for reading in tight loops and for views. */
export const asArray = (v: ReadonlyFloat64Array): Float64Array => v as Float64Array
