import { access, constants, mkdir, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { XMLBuilder } from 'fast-xml-parser';
import { ERP_MODULES, throwIfAborted, unavailable, type AdapterDefinition, type CanonicalDocument } from 'b2b-hub/adapter-kit';

/** Options of the file adapter. */
export interface FileOptions {
  /** Folder to write into (relative paths are relative to the project root); one subfolder per document type. */
  dir: string;
  /** Also write an XML rendering of the canonical document beside the JSON. */
  xml: boolean;
}

const CANONICAL_NAMESPACE = 'urn:b2b-hub:canonical:1.0';
const builder = new XMLBuilder({ format: true, ignoreAttributes: false, attributeNamePrefix: '@', suppressEmptyNode: true });

/** Renders a canonical document as XML: arrays become repeated elements (lines -> line). */
export function canonicalToXml(doc: CanonicalDocument): string {
  const singular = (key: string) => (key === 'lines' ? 'line' : key === 'partyIds' ? 'partyId' : key);
  const convert = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(convert);
    if (value && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, child] of Object.entries(value)) {
        if (Array.isArray(child)) out[key] = { [singular(key)]: child.map(convert) };
        else out[key] = convert(child);
      }
      return out;
    }
    return value;
  };
  const body = { '?xml': { '@version': '1.0', '@encoding': 'UTF-8' }, [doc.type]: { '@xmlns': CANONICAL_NAMESPACE, ...(convert(doc) as object) } };
  return builder.build(body) as string;
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}

/** Writes to a temporary name in the same folder, then renames: readers never see half a file. */
async function writeAtomically(file: string, content: string): Promise<void> {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  await writeFile(temp, content, { mode: 0o640 });
  await rename(temp, file);
}

/**
 * The file adapter: each delivered canonical document becomes <dir>/<Type>/<document number>__<message id>.json
 * (and .xml when configured). The name is fixed by the message, so a retried delivery finds its file and
 * writes nothing new.
 */
const file: AdapterDefinition<FileOptions> = {
  name: 'file',
  modules: ERP_MODULES,
  configSchema: {
    type: 'object',
    required: ['dir'],
    properties: { dir: { type: 'string', minLength: 1 }, xml: { type: 'boolean', default: false } },
  },
  create(options, ctx) {
    const root = path.resolve(ctx.rootDir, options.dir);
    return {
      async deliver(doc, delivery) {
        const folder = path.join(root, doc.type);
        const base = `${doc.documentNumber.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 80)}__${delivery.messageId}`;
        const jsonFile = path.join(folder, `${base}.json`);
        throwIfAborted(delivery.signal, `file adapter ${ctx.name}`);
        try {
          await mkdir(folder, { recursive: true });
          if (options.xml) {
            const xmlFile = path.join(folder, `${base}.xml`);
            if (!(await exists(xmlFile))) await writeAtomically(xmlFile, canonicalToXml(doc));
          }
          // The JSON file is written last: its presence means the delivery is complete.
          if (!(await exists(jsonFile))) await writeAtomically(jsonFile, JSON.stringify({ messageId: delivery.messageId, modules: delivery.modules, canonical: doc }, null, 2) + '\n');
        } catch (error) {
          throw unavailable(`file adapter ${ctx.name}: cannot write ${path.relative(ctx.rootDir, jsonFile)}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`, { cause: error });
        }
        return { reference: path.relative(ctx.rootDir, jsonFile) };
      },
      async health() {
        // Ready when the folder exists (or can be made) and is writable: what a delivery needs.
        try {
          await mkdir(root, { recursive: true });
          await access(root, constants.W_OK);
          return { ok: true, detail: path.relative(ctx.rootDir, root) || '.' };
        } catch (error) {
          return { ok: false, detail: `${path.relative(ctx.rootDir, root)}: ${(error as NodeJS.ErrnoException).code ?? 'error'}` };
        }
      },
      async close() {},
    };
  },
};

export default file;
