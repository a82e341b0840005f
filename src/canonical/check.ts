import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv2020Module, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { HubError, type ErrorItem } from '../errors/hub-error.js';
import { displayPath, projectRoot } from '../util/project-root.js';
import { CANONICAL_TYPES, type CanonicalDocument, type CanonicalType } from './types.js';

// ajv and ajv-formats are CommonJS; under NodeNext their default export arrives as the module object.
const Ajv2020 = ((Ajv2020Module as unknown as { default?: unknown }).default ?? Ajv2020Module) as unknown as typeof Ajv2020Module.default;
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as unknown as typeof addFormatsModule.default;

/** The JSON Schema file of each canonical type, in schemas/canonical/. */
export const CANONICAL_SCHEMA_FILES: Record<CanonicalType, string> = {
  Order: 'order.schema.json',
  Invoice: 'invoice.schema.json',
  ShipNotice: 'ship-notice.schema.json',
  CreditNote: 'credit-note.schema.json',
  OrderChange: 'order-change.schema.json',
  OrderCancellation: 'order-cancellation.schema.json',
  OrderResponse: 'order-response.schema.json',
};

let validators: Map<CanonicalType, ValidateFunction> | undefined;

/** Compiles the canonical schemas once (on first use). */
function compiled(): Map<CanonicalType, ValidateFunction> {
  if (validators) return validators;
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  addFormats(ajv, ['date']);
  const map = new Map<CanonicalType, ValidateFunction>();
  for (const type of CANONICAL_TYPES) {
    const file = path.join(projectRoot(), 'schemas', 'canonical', CANONICAL_SCHEMA_FILES[type]);
    try {
      map.set(type, ajv.compile(JSON.parse(readFileSync(file, 'utf8')) as object));
    } catch (error) {
      throw new HubError('HUB_ERR_CONFIG', `canonical schema ${displayPath(file)} does not load: ${(error as Error).message}`);
    }
  }
  validators = map;
  return map;
}

/** `/lines/2/quantity` -> `lines[2].quantity`. */
function toFieldPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, part) => (/^\d+$/.test(part) ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part), '');
}

function toErrorItem(error: ErrorObject): ErrorItem {
  const base = toFieldPath(error.instancePath);
  const child = (name: string): string => (base ? `${base}.${name}` : name);
  if (error.keyword === 'required') return { path: child(String(error.params.missingProperty)), message: 'is required but missing' };
  if (error.keyword === 'additionalProperties') return { path: child(String(error.params.additionalProperty)), message: 'is not a field of the canonical document' };
  if (error.keyword === 'const') return { path: base || '(document)', message: `must be ${JSON.stringify(error.params.allowedValue)}` };
  if (error.keyword === 'enum') return { path: base || '(document)', message: `must be one of ${(error.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}` };
  if (error.keyword === 'maxItems' && error.params.limit === 0) return { path: base || '(document)', message: 'must be empty' };
  return { path: base || '(document)', message: error.message ?? error.keyword };
}

/** Checks a document against its canonical JSON Schema. Throws HUB_ERR_CANONICAL_INVALID listing every problem with its path. */
export function checkCanonical(doc: unknown, context: { file?: string; document?: string } = {}): asserts doc is CanonicalDocument {
  const type = (doc as { type?: unknown } | null)?.type;
  const validate = typeof type === 'string' ? compiled().get(type as CanonicalType) : undefined;
  if (!validate) {
    const errors = [{ path: 'type', message: `must be one of ${CANONICAL_TYPES.join(', ')}` }];
    throw new HubError('HUB_ERR_CANONICAL_INVALID', `${context.file ? `${context.file}, ` : ''}field type: ${JSON.stringify(type ?? null)} is not a canonical document type (${CANONICAL_TYPES.join(', ')})${context.document ? ` — document ${context.document}` : ''}`, {
      errors,
      details: { ...context },
    });
  }
  if (validate(doc)) return;
  const seen = new Set<string>();
  // An if/then failure is also reported as the failing keyword inside "then" (a required field, say), which says more.
  const errors = (validate.errors ?? []).filter((e) => e.keyword !== 'if').map(toErrorItem).filter((e) => {
    const key = `${e.path}\u0000${e.message}`;
    return seen.has(key) ? false : (seen.add(key), true);
  });
  const first = errors[0]!;
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more problem${errors.length > 2 ? 's' : ''})` : '';
  const prefix = context.file ? `${context.file}, ` : '';
  const detail = `${prefix}field ${first.path}: ${first.message}; the mapped ${type} does not satisfy its canonical schema${more}${context.document ? ` — document ${context.document}` : ''}`;
  throw new HubError('HUB_ERR_CANONICAL_INVALID', detail, {
    errors,
    details: { ...context, field: first.path },
  });
}
