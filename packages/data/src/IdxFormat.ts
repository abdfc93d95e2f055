/**
 * The IDX format itself — how MNIST and its siblings lay out their bytes: two zero bytes, a
 * type code, the number of dimensions, each dimension's size as a big-endian 32-bit integer,
 * then the values, big-endian, row-major.
 *
 *     00 00 08 03 | 00 00 EA 60 | 00 00 00 1C | 00 00 00 1C | 60000×28×28 unsigned bytes …
 *
 * The header's Schema and its checks, the element types, and values to and from bytes.
 *
 * Not for: reading a stream of bytes (see `Idx`, which re-exports all of this).
 *
 * @since 0.2.0
 */
import { Either, ParseResult, Schema } from "effect"
import { IdxError } from "./IdxError.js"

/**
 * The element types IDX allows, by name: their type codes and sizes in bytes.
 *
 * @since 0.1.0
 * @category models
 */
export const types = {
  u8: { code: 0x08, bytes: 1 },
  i8: { code: 0x09, bytes: 1 },
  i16: { code: 0x0b, bytes: 2 },
  i32: { code: 0x0c, bytes: 4 },
  f32: { code: 0x0d, bytes: 4 },
  f64: { code: 0x0e, bytes: 8 }
} as const

/**
 * @since 0.1.0
 * @category models
 */
export type TypeName = keyof typeof types

const typeNames = Object.keys(types) as ReadonlyArray<TypeName>

const hex = (n: number) => `0x${n.toString(16).padStart(2, "0").toUpperCase()}`

/**
 * The type code byte, decoded to the name of its element type.
 *
 * @since 0.1.0
 * @category schemas
 */
export const TypeCode = Schema.transformOrFail(Schema.Number, Schema.Literal(...typeNames), {
  strict: true,
  decode: (code, _, ast) => {
    const name = typeNames.find((n) => types[n].code === code)
    return name === undefined
      ? ParseResult.fail(new ParseResult.Type(ast, code, `type code ${hex(code)}`))
      : ParseResult.succeed(name)
  },
  encode: (name) => ParseResult.succeed(types[name].code)
})

/**
 * The header after the magic bytes: the element type and the size of every dimension.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Header = Schema.Struct({
  type: TypeCode,
  dims: Schema.Array(Schema.Int.pipe(Schema.between(0, 0xffff_ffff)))
})

/**
 * @since 0.1.0
 * @category models
 */
export type Header = Schema.Schema.Type<typeof Header>

/**
 * Values of one element type, as the typed array that holds them.
 *
 * @since 0.1.0
 * @category models
 */
export type Values = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array

/**
 * A whole IDX file, decoded.
 *
 * @since 0.1.0
 * @category models
 */
export interface Tensor {
  readonly type: TypeName
  readonly dims: ReadonlyArray<number>
  /** Every value, row-major, in the platform's byte order. */
  readonly values: Values
}

/**
 * One record: the slice of the body under one index of the first dimension (for MNIST's
 * images file, one 28×28 image), as raw big-endian bytes.
 *
 * @since 0.1.0
 * @category models
 */
export interface Record {
  readonly header: Header
  readonly index: number
  readonly bytes: Uint8Array
}

/**
 * Bytes of the header: 4 + 4 per dimension.
 *
 * @since 0.1.0
 * @category getters
 */
export const headerLength = (header: Header): number => 4 + 4 * header.dims.length

/**
 * Values in the body: the product of the dimensions (1 for a scalar, with no dimensions).
 *
 * @since 0.1.0
 * @category getters
 */
export const valueCount = (header: Header): number => header.dims.reduce((n, d) => n * d, 1)

/**
 * Bytes in one record: the values under one index of the first dimension.
 *
 * @since 0.1.0
 * @category getters
 */
export const recordLength = (header: Header): number =>
  header.dims.slice(1).reduce((n, d) => n * d, 1) * types[header.type].bytes

/**
 * The header at the start of `bytes`: `undefined` while `bytes` is too short to hold it, an
 * `IdxError` when it is not a valid IDX header.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeHeader = (bytes: Uint8Array, path: string): Either.Either<Header | undefined, IdxError> => {
  if ((bytes.length > 0 && bytes[0] !== 0) || (bytes.length > 1 && bytes[1] !== 0)) {
    const found = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, "0")).join(" ")
    return Either.left(new IdxError({ reason: "BadMagic", path, offset: 0, detail: `it starts ${found}` }))
  }
  if (bytes.length < 4) return Either.right(undefined)
  const length = 4 + 4 * bytes[3]!
  if (bytes.length < length) return Either.right(undefined)
  const view = new DataView(bytes.buffer, bytes.byteOffset, length)
  const dims = Array.from({ length: bytes[3]! }, (_, i) => view.getUint32(4 + 4 * i, false))
  return Schema.decodeUnknownEither(Header)({ type: bytes[2]!, dims }).pipe(
    Either.mapLeft(() => new IdxError({ reason: "UnsupportedType", path, offset: 2, detail: `type code ${hex(bytes[2]!)}` }))
  )
}

/**
 * The IDX bytes of a tensor: header, then values big-endian.
 *
 * @since 0.1.0
 * @category encoding
 */
export const encode = (tensor: Tensor): Uint8Array => {
  const header: Header = { type: tensor.type, dims: tensor.dims }
  const count = valueCount(header)
  if (tensor.values.length !== count) {
    throw new RangeError(`dimensions ${tensor.dims.join("×")} hold ${count} values, got ${tensor.values.length}`)
  }
  const size = types[tensor.type].bytes
  const out = new Uint8Array(headerLength(header) + count * size)
  const view = new DataView(out.buffer)
  out[2] = types[tensor.type].code
  out[3] = tensor.dims.length
  tensor.dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false))
  writeValues(tensor.type, tensor.values, view, headerLength(header))
  return out
}

/**
 * The values of big-endian IDX bytes, as the typed array of their type.
 *
 * @since 0.1.0
 * @category decoding
 */
export const readValues = (type: TypeName, bytes: Uint8Array): Values => {
  const count = bytes.length / types[type].bytes
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  switch (type) {
    case "u8":
      return bytes
    case "i8":
      return new Int8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    case "i16":
      return Int16Array.from({ length: count }, (_, i) => view.getInt16(2 * i, false))
    case "i32":
      return Int32Array.from({ length: count }, (_, i) => view.getInt32(4 * i, false))
    case "f32":
      return Float32Array.from({ length: count }, (_, i) => view.getFloat32(4 * i, false))
    case "f64":
      return Float64Array.from({ length: count }, (_, i) => view.getFloat64(8 * i, false))
  }
}

const writeValues = (type: TypeName, values: Values, view: DataView, offset: number): void => {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!
    switch (type) {
      case "u8":
        view.setUint8(offset + i, v)
        break
      case "i8":
        view.setInt8(offset + i, v)
        break
      case "i16":
        view.setInt16(offset + 2 * i, v, false)
        break
      case "i32":
        view.setInt32(offset + 4 * i, v, false)
        break
      case "f32":
        view.setFloat32(offset + 4 * i, v, false)
        break
      case "f64":
        view.setFloat64(offset + 8 * i, v, false)
        break
    }
  }
}
