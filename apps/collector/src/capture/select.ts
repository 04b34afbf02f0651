/**
 * Which interfaces the collector captures: name patterns to include and exclude (`*` and `?`
 * wildcards) and, optionally, kinds. Pure: the inventory is an argument.
 */
export interface SelectableInterface {
  readonly name: string;
  readonly kind: string;
}

export interface SelectionRules {
  readonly interfaces: readonly string[];
  readonly exclude: readonly string[];
  readonly kinds: readonly string[];
}

function globToRegExp(glob: string): RegExp {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

/** Compiles the rules once; the returned predicate is called per interface. */
export function interfaceSelector(rules: SelectionRules): (itf: SelectableInterface) => boolean {
  const include = rules.interfaces.map(globToRegExp);
  const exclude = rules.exclude.map(globToRegExp);
  const kinds = new Set(rules.kinds);
  return (itf) =>
    include.some((r) => r.test(itf.name)) &&
    !exclude.some((r) => r.test(itf.name)) &&
    (kinds.size === 0 || kinds.has(itf.kind));
}
