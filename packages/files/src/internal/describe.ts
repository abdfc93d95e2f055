/**
 * Words for what a Schema expects and for what a file held instead, for `JsonFile`'s one-line
 * messages: "a whole number between 1 and 1000000", "one of "sigmoid", "relu"", "an object
 * with format, version, layers and 5 more fields" — never the printed type of the Schema, and
 * never the value itself (which may be 200 MB).
 *
 * @since 0.3.0
 * @internal
 */
import { Option, ParseResult, Schema, SchemaAST as AST } from "effect"

/** `text`, cut to `max` characters with an ellipsis. */
export const clip = (text: string, max: number): string => (text.length <= max ? text : `${text.slice(0, max - 1)}…`)

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? "" : "s"}`

/** What a value is, in a few words — never the value itself, unless it is a short string. */
export const value = (actual: unknown): string => {
  if (actual === null) return "null"
  if (Array.isArray(actual)) return `an array of ${plural(actual.length, "item")}`
  switch (typeof actual) {
    case "string":
      return actual.length <= 24 ? JSON.stringify(actual) : `a string of ${actual.length} characters`
    case "number":
      return `the number ${actual}`
    case "boolean":
      return String(actual)
    case "object":
      return "an object"
    case "undefined":
      return "nothing"
    default:
      return typeof actual
  }
}

/**
 * A field's path in a message: "epochs.7.epoch". A key is the file's own text, so one that is
 * long or holds control characters or quotes is described, not shown.
 */
export const fieldPath = (path: ReadonlyArray<PropertyKey>): string =>
  path
    .map((key) => {
      const text = String(key)
      return text.length <= 40 && !/[\u0000-\u001f\u007f-\u009f\u2028\u2029"\\]/.test(text) ? text : `<a key of ${plural(text.length, "character")}>`
    })
    .join(".")

const literal = (of: AST.LiteralValue): string => (typeof of === "bigint" ? `${of}n` : JSON.stringify(of))

// "a", "a and b", "a, b and c"; past `most` names, "a, b, c, d and 5 more fields".
const list = (names: ReadonlyArray<string>, most = 4): string => {
  if (names.length > most) return `${names.slice(0, most).join(", ")} and ${names.length - most} more fields`
  return names.length <= 1 ? names.join("") : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`
}

// The words a Schema's author gave it, the most explanatory first.
const annotated = (ast: AST.AST): string | undefined =>
  Option.getOrUndefined(
    Option.orElse(
      AST.getDescriptionAnnotation(ast),
      () => Option.orElse(AST.getTitleAnnotation(ast), () => AST.getIdentifierAnnotation(ast))
    )
  )

// Whether a refinement is of whole numbers (an `int` somewhere below it).
const isWhole = (ast: AST.AST): boolean =>
  AST.isRefinement(ast) && (Option.getOrUndefined(AST.getSchemaIdAnnotation(ast)) === Schema.IntSchemaId || isWhole(ast.from))

// Effect's own refinements of numbers, arrays and strings, in words; their arguments are kept in
// their JSON Schema annotation.
const refinement = (ast: AST.Refinement): string | undefined => {
  const id = Option.getOrUndefined(AST.getSchemaIdAnnotation(ast))
  const bounds = Option.getOrElse(AST.getJSONSchemaAnnotation(ast), () => ({})) as {
    readonly minimum?: number
    readonly maximum?: number
    readonly exclusiveMinimum?: number
    readonly exclusiveMaximum?: number
    readonly minItems?: number
    readonly maxItems?: number
    readonly minLength?: number
    readonly maxLength?: number
  }
  const noun = isWhole(ast.from) ? "whole number" : "number"
  switch (id) {
    case Schema.IntSchemaId:
      return "a whole number"
    case Schema.FiniteSchemaId:
      return "a finite number"
    case Schema.NonNaNSchemaId:
      return "a number"
    case Schema.GreaterThanSchemaId:
      return bounds.exclusiveMinimum === 0 ? `a positive ${noun}` : `a ${noun} above ${bounds.exclusiveMinimum}`
    case Schema.GreaterThanOrEqualToSchemaId:
      return `a ${noun} of ${bounds.minimum} or more`
    case Schema.LessThanSchemaId:
      return bounds.exclusiveMaximum === 0 ? `a negative ${noun}` : `a ${noun} below ${bounds.exclusiveMaximum}`
    case Schema.LessThanOrEqualToSchemaId:
      return `a ${noun} of ${bounds.maximum} or less`
    case Schema.BetweenSchemaId:
      return `a ${noun} between ${bounds.minimum} and ${bounds.maximum}`
    case Schema.MinItemsSchemaId:
      return `at least ${plural(bounds.minItems ?? 0, "item")}`
    case Schema.MaxItemsSchemaId:
      return `at most ${plural(bounds.maxItems ?? 0, "item")}`
    case Schema.ItemsCountSchemaId:
      return `exactly ${plural(bounds.minItems ?? 0, "item")}`
    case Schema.MinLengthSchemaId:
      return `a string of at least ${plural(bounds.minLength ?? 0, "character")}`
    case Schema.MaxLengthSchemaId:
      return `a string of at most ${plural(bounds.maxLength ?? 0, "character")}`
    default:
      return undefined
  }
}

const propertyNames = (ast: AST.TypeLiteral): ReadonlyArray<string> => ast.propertySignatures.map((p) => String(p.name))

// JSON holds no `undefined`: an optional field's `| undefined` is no choice a file can make.
const choices = (ast: AST.Union): ReadonlyArray<AST.AST> => ast.types.filter((member) => member._tag !== "UndefinedKeyword")

const union = (ast: AST.Union): string => {
  const members = choices(ast)
  if (members.length === 1) return expected(members[0]!)
  if (members.every(AST.isLiteral)) return `one of ${members.map((member) => literal(member.literal)).join(", ")}`
  if (members.every(AST.isTypeLiteral)) {
    // The fields every member has (a union of objects is told apart by one, like "kind").
    const [first, ...rest] = members.map(propertyNames)
    const common = first!.filter((name) => rest.every((names) => names.includes(name)))
    return common.length === 0 ? "an object" : `an object with ${list(common)}`
  }
  return [...new Set(members.map(expected))].join(" or ")
}

/**
 * What `ast` accepts, in words: the words its author gave it (a description, title or
 * identifier) or, for Effect's refinements, words of their own ("positive" becomes "a positive
 * number", `minItems(2)` "at least 2 items"); a struct is "an object with …", an array "an
 * array", a union its members.
 */
export const expected = (ast: AST.AST): string => {
  switch (ast._tag) {
    case "Refinement":
      return refinement(ast) ?? annotated(ast) ?? `${expected(ast.from)} that passes a check`
    case "Literal":
      return literal(ast.literal)
    case "Union":
      return annotated(ast) ?? union(ast)
    case "TypeLiteral": {
      const names = propertyNames(ast)
      return annotated(ast) ?? (names.length === 0 ? "an object" : `an object with ${list(names)}`)
    }
    case "TupleType":
      return annotated(ast) ?? (ast.rest.length === 0 ? `an array of ${plural(ast.elements.length, "item")}` : "an array")
    case "Transformation":
      return annotated(ast) ?? expected(ast.to)
    case "Suspend":
      return annotated(ast) ?? expected(ast.f())
    case "Enums":
      return `one of ${ast.enums.map(([, value]) => literal(value)).join(", ")}`
    case "StringKeyword":
      return "a string"
    case "NumberKeyword":
      return "a number"
    case "BooleanKeyword":
      return "true or false"
    case "ObjectKeyword":
      return "an object or an array"
    case "UndefinedKeyword":
    case "VoidKeyword":
      return "nothing"
    case "NeverKeyword":
      return "nothing (no value fits)"
    case "UnknownKeyword":
    case "AnyKeyword":
      return "any value"
    default:
      return annotated(ast) ?? String(ast)
  }
}

/**
 * The issue a message is about — the first leaf, or a union that none of whose members fit —
 * with the path that leads to it.
 *
 * A union that one member was chosen for (by a literal field, like `kind`) leads into that
 * member's issue; a union that no member fits is the issue, so that its message names every
 * member ("one of "running", "complete", …"), not only the first.
 */
export const firstLeaf = (
  issue: ParseResult.ParseIssue,
  path: ReadonlyArray<PropertyKey> = []
): { readonly path: ReadonlyArray<PropertyKey>; readonly issue: ParseResult.ParseIssue } => {
  switch (issue._tag) {
    case "Pointer":
      return firstLeaf(issue.issue, [...path, ...(Array.isArray(issue.path) ? issue.path : [issue.path])])
    case "Refinement":
    case "Transformation":
      return firstLeaf(issue.issue, path)
    case "Composite": {
      const issues: ReadonlyArray<ParseResult.ParseIssue> = Array.isArray(issue.issues)
        ? (issue.issues as ReadonlyArray<ParseResult.ParseIssue>)
        : [issue.issues as ParseResult.ParseIssue]
      if (!AST.isUnion(issue.ast)) return firstLeaf(issues[0]!, path)
      const tried = issues.filter((member) => !(member._tag === "Type" && member.ast._tag === "UndefinedKeyword"))
      return tried.length === 1 ? firstLeaf(tried[0]!, path) : { path, issue }
    }
    default:
      return { path, issue }
  }
}
