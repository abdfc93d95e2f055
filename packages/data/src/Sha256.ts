/**
 * SHA-256 as a service, so that fingerprinting a data file runs anywhere: the default is
 * @noble/hashes (pure JavaScript, streaming, on every engine; about 320 ms for MNIST's 47 MB of
 * training images here), and a program on Node can provide `NodeMnist.sha256` (node:crypto,
 * about 30 ms) in its place. Both give the same digest.
 *
 * Not for: the parameters' hashes in run records (see `@descent/files`).
 *
 * @since 0.2.0
 */
import { sha256 } from "@noble/hashes/sha2.js"
import { bytesToHex } from "@noble/hashes/utils.js"
import { Context } from "effect"

/**
 * A digest being computed: bytes in, in order, then the lowercase hex digest once.
 *
 * @since 0.2.0
 * @category models
 */
export interface Hasher {
  readonly update: (bytes: Uint8Array) => void
  readonly hex: () => string
}

/**
 * Pure JavaScript SHA-256 (@noble/hashes): the default.
 *
 * @since 0.2.0
 * @category constructors
 */
export const pure = (): Hasher => {
  const hash = sha256.create()
  return { update: (bytes) => void hash.update(bytes), hex: () => bytesToHex(hash.digest()) }
}

/**
 * The service: where new hashers come from. Needs no Layer — `pure` unless a program provides
 * another.
 *
 * @since 0.2.0
 * @category tags
 */
export class Sha256 extends Context.Reference<Sha256>()("@descent/data/Sha256", {
  defaultValue: (): { readonly make: () => Hasher } => ({ make: pure })
}) {}
