// The tree the YAML reader walks (./yaml.ts): made by the fast reader (./yaml-fast.ts) or from the yaml
// package's tree.

/** A node of the tree. */
export type TreeNode = ScalarNode | MapNode | SeqNode | AliasNode;
interface NodeBase {
  /** Offset of the node's first character in the text. */
  offset: number;
  /** The resolved tag: `!reset`, `!foo`, `tag:yaml.org,2002:str` …; `!` for the non-specific tag. */
  tag?: string | undefined;
  /** A collection's text where it is a mapping key (compared as text, like yaml.v3). */
  display?: string;
}
export interface ScalarNode extends NodeBase {
  kind: "scalar";
  /** The scalar's content (quotes and escapes resolved, block scalars folded). */
  text: string;
  /** Plain (unquoted, not a block scalar): only those are resolved to numbers, booleans and null. */
  plain: boolean;
}
export interface MapNode extends NodeBase {
  kind: "map";
  pairs: { key: TreeNode | null; value: TreeNode | null }[];
}
export interface SeqNode extends NodeBase {
  kind: "seq";
  items: (TreeNode | null)[];
}
export interface AliasNode {
  kind: "alias";
  offset: number;
  name: string;
  /** The anchored node, undefined for an unknown anchor. */
  target: TreeNode | undefined;
  tag?: undefined;
}
