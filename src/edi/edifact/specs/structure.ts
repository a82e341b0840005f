/** The shapes of a message specification and the parsers of the compact notations in ./structures-*.ts and ./segments.ts. */

/** A segment in a message structure, or a segment group (its trigger is `tag`, mandatory once per repetition). */
export interface StructureNode {
  tag: string;
  min: number;
  max: number;
  /** Present for a segment group: its members after the trigger. */
  members?: StructureNode[];
}

/** A component of a composite, or a simple element. */
export interface SimpleDef {
  tag: string;
  mandatory: boolean;
  /** 'an' alphanumeric, 'a' alphabetic, 'n' numeric (ISO 9735: sign and decimal mark not counted). */
  type: 'an' | 'a' | 'n';
  minLength: number;
  maxLength: number;
  /** A closed list of values this position accepts (12 invalid value otherwise). */
  codes?: readonly string[];
}

export interface CompositeDef {
  tag: string;
  mandatory: boolean;
  components: SimpleDef[];
}

export type ElementDef = SimpleDef | CompositeDef;

export function isComposite(def: ElementDef): def is CompositeDef {
  return (def as CompositeDef).components !== undefined;
}

/** Parses `TAG min max` lines, deeper indentation = members of the group the line above starts. */
export function parseStructure(text: string): StructureNode[] {
  const root: StructureNode = { tag: '', min: 1, max: 1, members: [] };
  const stack: Array<{ indent: number; node: StructureNode }> = [{ indent: -1, node: root }];
  for (const raw of text.split('\n')) {
    if (raw.trim() === '') continue;
    const indent = raw.length - raw.trimStart().length;
    const m = /^([A-Z]{3}) (\d+) (\d+)$/.exec(raw.trim());
    if (!m) throw new Error(`bad structure line: ${raw}`);
    const node: StructureNode = { tag: m[1]!, min: Number(m[2]), max: Number(m[3]) };
    while (stack[stack.length - 1]!.indent >= indent) stack.pop();
    const parent = stack[stack.length - 1]!.node;
    parent.members ??= [];
    parent.members.push(node);
    stack.push({ indent, node });
  }
  return root.members!;
}

function parseSimple(text: string): SimpleDef {
  const m = /^(\w{4}) ([MC]) (an|a|n)(\.\.)?(\d+)(?: \{([^}]*)\})?$/.exec(text.trim());
  if (!m) throw new Error(`bad element definition: ${text}`);
  const max = Number(m[5]);
  return {
    tag: m[1]!,
    mandatory: m[2] === 'M',
    type: m[3] as SimpleDef['type'],
    minLength: m[4] ? 1 : max,
    maxLength: max,
    ...(m[6] ? { codes: m[6].split(',').map((c) => c.trim()) } : {}),
  };
}

export function parseSegmentDefs(defs: Record<string, string>): Record<string, ElementDef[]> {
  const out: Record<string, ElementDef[]> = {};
  for (const [tag, text] of Object.entries(defs)) {
    out[tag] = text.split('|').map((part) => {
      const c = /^\s*(\w{4}) ([MC]) \[(.*)\]\s*$/.exec(part);
      if (!c) return parseSimple(part);
      return { tag: c[1]!, mandatory: c[2] === 'M', components: c[3]!.split(',').map(parseSimple) };
    });
  }
  return out;
}
