/**
 * The character repertoires of the EDIFACT syntax identifiers (ISO 9735 part 1, clause 5 and annex A), used to
 * check every value against the repertoire the interchange declared (0085 code 21, invalid character).
 * The text arrives decoded (the format layer turns bytes into text); what is checked is which characters it holds.
 */

/** Level A: upper case letters, digits, space and . , - ( ) / = ' + : ? ! " % & * ; < > */
const LEVEL_A = new Set(`ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,-()/='+:?!"%&*;<>`);
/** Level B: level A and lower case letters (and the information separators IS1-IS4 used as service characters). */
const LEVEL_B = new Set([...LEVEL_A, ...'abcdefghijklmnopqrstuvwxyz', '\x1c', '\x1d', '\x1e', '\x1f']);

/** ISO 8859 part of each identifier from UNOC (UNOC = 8859-1 … UNOK = 8859-9; UNOL 8859-15 in version 4). */
const ISO_8859: Record<string, string> = {
  UNOC: 'iso-8859-1', UNOD: 'iso-8859-2', UNOE: 'iso-8859-5', UNOF: 'iso-8859-7', UNOG: 'iso-8859-3',
  UNOH: 'iso-8859-4', UNOI: 'iso-8859-6', UNOJ: 'iso-8859-8', UNOK: 'iso-8859-9', UNOL: 'iso-8859-15',
};

export type Repertoire = (ch: string) => boolean;

const cache = new Map<string, Repertoire | null>();

/** The graphic characters of an ISO 8859 part: bytes 0x20-0x7E and 0xA0-0xFF decoded by its table. */
function iso8859(label: string): Repertoire | null {
  const bytes: number[] = [];
  for (let b = 0x20; b <= 0x7e; b++) bytes.push(b);
  for (let b = 0xa0; b <= 0xff; b++) bytes.push(b);
  let decoded: string;
  if (label === 'iso-8859-1') {
    decoded = String.fromCharCode(...bytes); // WHATWG maps the label to windows-1252; 0x20-0x7E and 0xA0-0xFF agree
  } else {
    try {
      decoded = new TextDecoder(label, { fatal: false }).decode(Uint8Array.from(bytes));
    } catch {
      return null;
    }
  }
  const set = new Set([...decoded].filter((c) => c !== '\ufffd'));
  return (ch) => set.has(ch);
}

/**
 * The repertoire check of a syntax identifier, or undefined when the hub does not support it. UNOW and UNOY
 * (ISO 10646, UTF-8 in version 4) accept every character but the C0/C1 control characters.
 */
export function repertoireOf(syntaxIdentifier: string): Repertoire | undefined {
  if (cache.has(syntaxIdentifier)) return cache.get(syntaxIdentifier) ?? undefined;
  let r: Repertoire | null = null;
  if (syntaxIdentifier === 'UNOA') r = (ch) => LEVEL_A.has(ch);
  else if (syntaxIdentifier === 'UNOB') r = (ch) => LEVEL_B.has(ch);
  else if (ISO_8859[syntaxIdentifier]) r = iso8859(ISO_8859[syntaxIdentifier]);
  else if (syntaxIdentifier === 'UNOW' || syntaxIdentifier === 'UNOY') {
    r = (ch) => {
      const c = ch.codePointAt(0)!;
      return !(c < 0x20 || (c >= 0x7f && c < 0xa0));
    };
  }
  cache.set(syntaxIdentifier, r);
  return r ?? undefined;
}

/** Every syntax identifier the hub reads, as stated in docs and error messages. */
export const SUPPORTED_SYNTAX_IDENTIFIERS = ['UNOA', 'UNOB', 'UNOC', 'UNOD', 'UNOE', 'UNOF', 'UNOG', 'UNOH', 'UNOI', 'UNOJ', 'UNOK', 'UNOL', 'UNOW', 'UNOY'] as const;
