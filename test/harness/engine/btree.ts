import BTreeModule from 'sorted-btree';

// sorted-btree is CommonJS with `exports.default`; under Node's ESM loader its default import is the exports object.
type BTreeClass = typeof import('sorted-btree').default;
const moduleValue = BTreeModule as unknown as { default?: BTreeClass };
/** The sorted-btree class, whichever way the loader (Node ESM, tsx or jest) presents the CommonJS module. */
export const BTree: BTreeClass = moduleValue.default ?? (BTreeModule as unknown as BTreeClass);
export type BTree<K, V> = import('sorted-btree').default<K, V>;
