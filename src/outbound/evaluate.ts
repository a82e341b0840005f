import { HubError } from '../errors/hub-error.js';
import { MappingFunctionError } from '../mapping/functions.js';
import { displayPath } from '../mapping/paths.js';
import { outboundFunctions } from './functions.js';
import type { EdiTemplate, Expr, OutboundMapping, XmlTemplate } from './mapping-file.js';

/** An element of a built XML document. */
export interface XmlNode {
  name: string;
  attributes: Array<[string, string]>;
  text?: string;
  children: XmlNode[];
}

/** A segment of a built EDI transaction: its id and elements (a composite is a list of components). */
export interface BuiltSegment {
  id: string;
  elements: Array<string | string[]>;
}

/** What one outbound run sees besides the document: the partner it goes to and our own company. */
export interface OutboundContext {
  partner: string;
  /** config `company`: our name and ids, as `$company` in expressions. */
  company: unknown;
  /** Names the document in errors. */
  document: string;
}

const STAND_IN = '\u0000missing-cross-reference';

interface Run {
  mapping: OutboundMapping;
  ctx: OutboundContext;
  bindings: Record<string, unknown>;
  field: string;
  misses: Array<{ field: string; error: MappingFunctionError }>;
}

function failure(run: Run, expr: Expr, error: unknown): HubError {
  const file = displayPath(run.mapping.file);
  if (error instanceof MappingFunctionError) {
    return new HubError(error.code, `${file}, ${expr.path}: ${error.message} — document ${run.ctx.document}`, { details: { file, field: expr.path, document: run.ctx.document }, errors: [{ path: expr.path, message: error.message }] });
  }
  const e = error as { message?: string };
  const reason = `expression ${JSON.stringify(expr.source)} failed: ${e.message ?? String(error)}`;
  return new HubError('HUB_ERR_MAPPING', `${file}, ${expr.path}: ${reason} — document ${run.ctx.document}`, { details: { file, field: expr.path, document: run.ctx.document, expression: expr.source }, errors: [{ path: expr.path, message: reason }] });
}

async function value(run: Run, expr: Expr, input: unknown): Promise<unknown> {
  run.field = expr.path;
  try {
    return await expr.expression.evaluate(input, run.bindings);
  } catch (error) {
    throw failure(run, expr, error);
  }
}

/** The text an expression gives: a string or number as written; nothing (undefined) for no value or ''. */
async function textOf(run: Run, expr: Expr, input: unknown): Promise<string | undefined> {
  const v = await value(run, expr, input);
  if (v === undefined || v === null || v === '' || v === false) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw failure(run, expr, new MappingFunctionError('HUB_ERR_MAPPING', `gave ${v}, not a number that can be written`));
    return String(v);
  }
  if (v === true) return 'true';
  throw failure(run, expr, new MappingFunctionError('HUB_ERR_MAPPING', `gave ${JSON.stringify(v)}; an element's or segment element's value must be a text or a number (use $each for lists)`));
}

async function items(run: Run, each: Expr | undefined, input: unknown): Promise<unknown[]> {
  if (!each) return [input];
  const v = await value(run, each, input);
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : [v];
}

async function kept(run: Run, when: Expr | undefined, input: unknown): Promise<boolean> {
  if (!when) return true;
  const v = await value(run, when, input);
  return v !== undefined && v !== null && v !== false && v !== '' && !(Array.isArray(v) && v.length === 0);
}

async function buildElements(run: Run, template: XmlTemplate, input: unknown): Promise<XmlNode[]> {
  const out: XmlNode[] = [];
  for (const item of await items(run, template.each, input)) {
    if (!(await kept(run, template.when, item))) continue;
    const attributes: Array<[string, string]> = [];
    for (const [name, expr] of template.attributes) {
      const text = await textOf(run, expr, item);
      if (text !== undefined) attributes.push([name, text]);
    }
    const children: XmlNode[] = [];
    for (const child of template.children) children.push(...(await buildElements(run, child, item)));
    const text = template.text ? await textOf(run, template.text, item) : undefined;
    // An element with nothing in it (no text, no child) is left out, like a field with no value inbound.
    if (text === undefined && children.length === 0) continue;
    out.push({ name: template.name, attributes, ...(text !== undefined ? { text } : {}), children });
  }
  return out;
}

async function buildSegments(run: Run, templates: readonly EdiTemplate[], input: unknown, out: BuiltSegment[]): Promise<void> {
  for (const template of templates) {
    if (template.kind === 'loop') {
      for (const item of await items(run, template.each, input)) if (await kept(run, template.when, item)) await buildSegments(run, template.segments, item, out);
      continue;
    }
    if (!(await kept(run, template.when, input))) continue;
    const elements: Array<string | string[]> = [];
    for (const element of template.elements) {
      if (element === null) elements.push('');
      else if (Array.isArray(element)) {
        const components: string[] = [];
        for (const c of element as ReadonlyArray<Expr | null>) components.push(c === null ? '' : ((await textOf(run, c, input)) ?? ''));
        while (components.length && components[components.length - 1] === '') components.pop();
        elements.push(components.length > 1 ? components : (components[0] ?? ''));
      } else elements.push((await textOf(run, element as Expr, input)) ?? '');
    }
    while (elements.length && elements[elements.length - 1] === '') elements.pop();
    // A segment none of whose elements has a value is left out.
    if (elements.length) out.push({ id: template.id, elements });
  }
}

function missesError(run: Run): HubError {
  const file = displayPath(run.mapping.file);
  const text = run.misses.slice(0, 10).map((m) => `${m.field}: ${m.error.message}`).join('; ');
  return new HubError('HUB_ERR_LOOKUP_MISSING', `${file}: ${run.misses.length} cross-reference${run.misses.length === 1 ? '' : 's'} missing for partner ${run.ctx.partner}: ${text}${run.misses.length > 10 ? `; and ${run.misses.length - 10} more` : ''} — document ${run.ctx.document}`, {
    details: { file, document: run.ctx.document, partner: run.ctx.partner, missing: run.misses.slice(0, 500).map((m) => ({ field: m.field, ...m.error.details })) },
    errors: run.misses.slice(0, 500).map((m) => ({ path: m.field, message: m.error.message })),
  });
}

/**
 * Evaluates an outbound mapping over a canonical document: the XML element tree or the EDI segments of one
 * transaction (without its envelope). Every reverse lookup is tried; the run then throws one
 * HUB_ERR_LOOKUP_MISSING naming every missing cross-reference, as the inbound mappings do.
 */
export async function evaluateOutbound(mapping: OutboundMapping, canonical: unknown, ctx: OutboundContext): Promise<{ xml?: XmlNode; segments?: BuiltSegment[] }> {
  const run: Run = { mapping, ctx, bindings: {}, field: '', misses: [] };
  const onMissing = (error: MappingFunctionError): string => {
    run.misses.push({ field: run.field, error });
    return STAND_IN;
  };
  run.bindings = { ...outboundFunctions(mapping.tables, ctx.partner, onMissing), root: canonical, partner: ctx.partner, company: ctx.company };
  if (mapping.xml) {
    const [root] = await buildElements(run, mapping.xml.root, canonical);
    if (run.misses.length) throw missesError(run);
    if (!root) throw new HubError('HUB_ERR_MAPPING', `${displayPath(mapping.file)}: the document element ${mapping.xml.root.name} came out empty — document ${ctx.document}`);
    return { xml: root };
  }
  const segments: BuiltSegment[] = [];
  await buildSegments(run, mapping.edi!.segments, canonical, segments);
  if (run.misses.length) throw missesError(run);
  return { segments };
}
