/**
 * Numbers as Python writes them, for files that Python programs write (network2's JSON).
 */

/**
 * `x` as Python 3's `repr(float)` (and `json.dump`) spells it: the same shortest digits that
 * round-trip as JavaScript's, but in scientific notation below 1e-4 and from 1e16 on, with a
 * signed exponent of at least two digits (`1e-05`, `1.5e+16`), and always a point otherwise
 * (`2.0`, `-0.0`).
 */
export const pythonFloat = (x: number): string => {
  if (Number.isNaN(x)) return "NaN"
  if (!Number.isFinite(x)) return x > 0 ? "Infinity" : "-Infinity"
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0"
  // toExponential() without a count gives the shortest digits that round-trip.
  const [mantissa, power] = x.toExponential().split("e") as [string, string]
  const exponent = Number(power)
  const sign = x < 0 ? "-" : ""
  const digits = mantissa.replace("-", "").replace(".", "")
  if (exponent < -4 || exponent >= 16) {
    const significand = digits.length === 1 ? digits : `${digits[0]}.${digits.slice(1)}`
    return `${sign}${significand}e${exponent < 0 ? "-" : "+"}${String(Math.abs(exponent)).padStart(2, "0")}`
  }
  if (exponent < 0) return `${sign}0.${"0".repeat(-exponent - 1)}${digits}`
  if (digits.length <= exponent + 1) return `${sign}${digits}${"0".repeat(exponent + 1 - digits.length)}.0`
  return `${sign}${digits.slice(0, exponent + 1)}.${digits.slice(exponent + 1)}`
}
