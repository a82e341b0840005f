import type jsonata from 'jsonata';
import { HubError } from '../errors/hub-error.js';
import { MappingFunctionError, mappingFunctions } from './functions.js';
import type { CompiledMapping, FieldNode } from './mapping-file.js';
import { displayPath } from './paths.js';

/** Who and what a mapping run is about, for lookups (partner) and error messages (document, message). */
export interface EvaluationContext {
  partner: string;
  document: string;
  messageId?: string;
}

/** A cross-reference a run did not find: the field it was for and the lookup's own error. */
interface Miss {
  field: string;
  error: MappingFunctionError;
}

interface Run {
  mapping: CompiledMapping;
  ctx: EvaluationContext;
  bindings: Record<string, unknown>;
  /** The field being evaluated (runs are sequential), so a lookup's miss is recorded against it. */
  field: string;
  misses: Miss[];
}

/** Misses listed one by one in the error's text; every miss (up to MAX_LISTED_MISSES) is in its errors[]. */
const MISSES_IN_TEXT = 10;
const MAX_LISTED_MISSES = 500;

/** The stand-in a missing lookup gives while the run goes on; never seen outside the run (the run then fails). */
const MISSING_STAND_IN = '\u0000missing-cross-reference';

/**
 * The one error of a run whose lookups missed: the same HUB_ERR_LOOKUP_MISSING as a single miss always gave
 * (text, details and errors[] unchanged when there is one), and with several, one error naming every miss:
 * details.missing lists each field, lookup and key, errors[] has one item per miss.
 */
function missesError(run: Run): HubError {
  const [first, ...rest] = run.misses;
  if (!rest.length) return fail({ ...run, misses: [] }, first!.field, first!.error, '');
  const file = displayPath(run.mapping.file);
  const listed = run.misses.slice(0, MAX_LISTED_MISSES);
  const text = run.misses.slice(0, MISSES_IN_TEXT).map((m) => `field ${m.field}: ${m.error.message}`).join('; ');
  const more = run.misses.length > MISSES_IN_TEXT ? `; and ${run.misses.length - MISSES_IN_TEXT} more` : '';
  return new HubError('HUB_ERR_LOOKUP_MISSING', `${file}: ${run.misses.length} cross-references missing: ${text}${more} — document ${run.ctx.document}`, {
    details: {
      file,
      field: first!.field,
      document: run.ctx.document,
      ...(run.ctx.messageId ? { messageId: run.ctx.messageId } : {}),
      ...(first!.error.details.lookup ? { lookup: first!.error.details.lookup } : {}),
      ...(first!.error.details.key !== undefined ? { key: first!.error.details.key } : {}),
      missing: listed.map((m) => ({ field: m.field, ...(m.error.details.lookup ? { lookup: m.error.details.lookup } : {}), ...(m.error.details.key !== undefined ? { key: m.error.details.key } : {}) })),
    },
    errors: listed.map((m) => ({ path: m.field, message: m.error.message })),
  });
}

function fail(run: Run, field: string, error: unknown, source: string): HubError {
  // A run that already missed a cross-reference fails with its misses, as it did when the first miss threw:
  // what fails after it may be the stand-in's doing.
  if (run.misses.length) return missesError(run);
  const file = displayPath(run.mapping.file);
  const base = { file, field, document: run.ctx.document, ...(run.ctx.messageId ? { messageId: run.ctx.messageId } : {}) };
  const suffix = ` — document ${run.ctx.document}`;
  if (error instanceof MappingFunctionError) {
    return new HubError(error.code, `${file}, field ${field}: ${error.message}${suffix}`, {
      details: { ...base, ...(error.details.lookup ? { lookup: error.details.lookup } : {}), ...(error.details.key !== undefined ? { key: error.details.key } : {}) },
      errors: [{ path: field, message: error.message }],
    });
  }
  const e = error as { message?: string; code?: string; position?: number };
  const reason = `expression ${JSON.stringify(source)} failed: ${e.message ?? String(error)}${e.code ? ` (${e.code}${e.position !== undefined ? ` at character ${e.position}` : ''})` : ''}`;
  return new HubError('HUB_ERR_MAPPING', `${file}, field ${field}: ${reason}${suffix}`, { details: { ...base, expression: source }, errors: [{ path: field, message: reason }] });
}

/** Turns a JSONata result into plain JSON (sequences become arrays); rejects functions and non-finite numbers. */
function toJson(value: unknown): unknown {
  if (value === undefined || value === null || typeof value === 'string' || typeof value === 'boolean') return value ?? undefined;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new MappingFunctionError('HUB_ERR_MAPPING', `evaluated to ${value}, which is not a JSON number`);
    return value;
  }
  if (typeof value === 'function') throw new MappingFunctionError('HUB_ERR_MAPPING', `evaluated to a function (is a call missing its parentheses?)`);
  if (Array.isArray(value)) return value.map((v) => toJson(v)).filter((v) => v !== undefined);
  if (typeof value === 'object') {
    if ((value as { _jsonata_lambda?: boolean })._jsonata_lambda) throw new MappingFunctionError('HUB_ERR_MAPPING', 'evaluated to a function (is a call missing its parentheses?)');
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const json = toJson(v);
      if (json !== undefined) out[k] = json;
    }
    return out;
  }
  return undefined;
}

async function evaluateExpression(run: Run, expression: jsonata.Expression, source: string, input: unknown, field: string): Promise<unknown> {
  run.field = field;
  try {
    return toJson(await expression.evaluate(input, run.bindings));
  } catch (error) {
    throw fail(run, field, error, source);
  }
}

async function evaluateFields(run: Run, fields: ReadonlyArray<readonly [string, FieldNode]>, input: unknown, prefix: string): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const [key, node] of fields) {
    const field = prefix ? `${prefix}.${key}` : key;
    const value = await evaluateNode(run, node, input, field);
    if (value !== undefined) out[key] = value;
  }
  return out;
}

async function evaluateNode(run: Run, node: FieldNode, input: unknown, field: string): Promise<unknown> {
  switch (node.kind) {
    case 'expression':
      return evaluateExpression(run, node.expression, node.source, input, field);
    case 'object': {
      // A nested object none of whose fields has a value is omitted, like an expression giving nothing.
      const value = await evaluateFields(run, node.fields, input, field);
      return Object.keys(value).length ? value : undefined;
    }
    case 'each': {
      let items: unknown;
      run.field = field;
      try {
        items = await node.each.evaluate(input, run.bindings);
      } catch (error) {
        throw fail(run, field, error, node.source);
      }
      if (items === undefined) return undefined;
      const list = Array.isArray(items) ? items : [items];
      const out: unknown[] = [];
      for (let i = 0; i < list.length; i++) out.push(await evaluateFields(run, node.fields, list[i], `${field}[${i}]`));
      return out;
    }
  }
}

/**
 * Evaluates a compiled mapping over a parsed document's root element. Fields whose expression gives nothing
 * are omitted; the caller checks the result against the canonical schema. `type` comes from documentType.
 * A lookup with no entry does not stop the run: every field is evaluated, and the run then throws one
 * HUB_ERR_LOOKUP_MISSING naming every missing cross-reference (see missesError).
 */
export async function evaluateMapping(mapping: CompiledMapping, root: unknown, ctx: EvaluationContext): Promise<Record<string, unknown>> {
  const run: Run = { mapping, ctx, bindings: {}, field: '', misses: [] };
  const onMissing = (error: MappingFunctionError): string => {
    run.misses.push({ field: run.field, error });
    return MISSING_STAND_IN;
  };
  run.bindings = { ...mappingFunctions(mapping.tables, ctx.partner, onMissing), root, partner: ctx.partner };
  const fields = await evaluateFields(run, mapping.canonical, root, '');
  if (run.misses.length) throw missesError(run);
  return { type: mapping.documentType, ...fields };
}

/** Best-effort evaluation of the documentNumber field alone, to name the document in errors. */
export async function peekDocumentNumber(mapping: CompiledMapping, root: unknown, partner: string): Promise<string | undefined> {
  const node = mapping.canonical.find(([key]) => key === 'documentNumber')?.[1];
  if (node?.kind !== 'expression') return undefined;
  try {
    const value = await node.expression.evaluate(root, { ...mappingFunctions(mapping.tables, partner), root, partner });
    return typeof value === 'string' && value ? value : undefined;
  } catch {
    return undefined;
  }
}
