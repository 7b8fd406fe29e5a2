// How deeply a compose file may nest mappings and sequences, checked before anything recursive reads it.
//
// The reference refuses nesting deeper than 10,000 (yaml.v3: "exceeded max depth of 10000"; its schema
// step's JSON decoder: "invalid character '{' exceeded max depth"). The `yaml` package's composer runs out
// of Node's default stack at 700 to 900 levels (and catches it: RESOURCE_EXHAUSTION), and the loader's
// walks recurse too, so the limit here is lower: a document is refused at its first collection nested
// deeper than `maxDepth` (the top-level mapping is level 1), with that collection's position.
//
// Both readers of ./yaml.ts apply it: the fast reader leaves deeper text to the package's path, which
// replaces each collection past the limit with an error token of the parser's tree (CST) before the
// composer sees it; the reader of the node tree counts levels again, as aliases and merge keys nest too.
import {
  Composer,
  type CST,
  type Document,
  type DocumentOptions,
  type ParseOptions,
  Parser,
  type SchemaOptions,
} from "yaml";

export const maxDepth = 500;
export const tooDeepMessage = `exceeded max depth of ${maxDepth}`;

type Options = ParseOptions & DocumentOptions & SchemaOptions;

/**
 * The package's parseAllDocuments (without its pretty errors), with collections nested deeper than
 * maxDepth replaced by an error (so reported, and their content not composed).
 */
export function parseAllDocumentsWithinDepth(text: string, options: Options): Document.Parsed[] {
  const tokens = Array.from(new Parser(options.lineCounter?.addNewLine).parse(text));
  for (const token of tokens) if (token.type === "document") cutTooDeep(token);
  return Array.from(new Composer(options).compose(tokens));
}

type Collection = CST.BlockMap | CST.BlockSequence | CST.FlowCollection;

function isCollection(token: CST.Token | null | undefined): token is Collection {
  return token?.type === "block-map" || token?.type === "block-seq" || token?.type === "flow-collection";
}

/** Walks the document's tree without recursion; returns whether something was cut. */
export function cutTooDeep(document: CST.Document): boolean {
  let cut = false;
  const pending: { token: Collection; level: number }[] = [];
  if (isCollection(document.value)) pending.push({ token: document.value, level: 1 });
  for (let next = pending.pop(); next; next = pending.pop()) {
    const { token, level } = next;
    for (const item of token.items as CST.CollectionItem[]) {
      for (const slot of ["key", "value"] as const) {
        const child = item[slot];
        if (!isCollection(child)) continue;
        if (level < maxDepth) {
          pending.push({ token: child, level: level + 1 });
          continue;
        }
        item[slot] = { type: "error", offset: child.offset, source: "", message: tooDeepMessage };
        cut = true;
      }
    }
  }
  return cut;
}
