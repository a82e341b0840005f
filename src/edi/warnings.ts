/**
 * Envelope warnings: deviations from the standard's layout a reader undid without doubt about the data (an X12 ISA
 * whose fields are off their fixed length but whole once trimmed, a line break between ISA elements; an EDIFACT UNG
 * message version with more components than ISO 9735 defines). They travel beside the interchange's problems, not
 * among them: the interchange is taken, and its acknowledgement says "accepted, errors noted" (X12 TA1 TA104 E with
 * each warning's TA105 I18 note code). A partner configured strict (`partners.<id>.x12.strictIsa`) has them
 * treated as problems again (strictEnvelope).
 *
 * The readers put them on the interchange they return as `warnings` (read them with interchangeWarnings, which
 * also takes an interchange from anywhere else, e.g. a stored one, that has none).
 */
import type { EdiInterchange, EdiProblem } from './types.js';

/** An interchange as the readers return it: with the envelope warnings. */
export type EdiInterchangeRead = EdiInterchange & { warnings: EdiProblem[] };

/** The envelope warnings of an interchange (none when the reader found none, or it was not read by one). */
export function interchangeWarnings(ic: EdiInterchange): readonly EdiProblem[] {
  return (ic as Partial<EdiInterchangeRead>).warnings ?? [];
}

/**
 * The interchange as a strict partner's intake judges it: the warnings are problems again, first, as the readers
 * reported them before they were lenient (the TA1 answers R with the first one's code).
 */
export function strictEnvelope<T extends EdiInterchange>(ic: T): T {
  const warnings = interchangeWarnings(ic);
  if (!warnings.length) return ic;
  return { ...ic, problems: [...warnings, ...ic.problems], warnings: [] };
}
