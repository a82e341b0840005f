import { takeControlNumbers } from '../edi/control-numbers.js';
import type { Database, Queryable } from '../db/database.js';
import type { EdiProblem } from '../edi/types.js';
import { uuidv7 } from '../util/ids.js';

/** A posted EDI interchange as stored (migrations/010_interchanges.sql). */
export interface InterchangeRecord {
  id: string;
  partner: string;
  syntax: 'x12' | 'edifact';
  /** `<qualifier>:<id>` of the envelope's sender and receiver. */
  sender: string;
  receiver: string;
  controlNumber: string;
  test: boolean;
  sha256: string;
  size: number;
  receivedAt: string;
  status: 'accepted' | 'partial' | 'rejected';
  transactions: number;
  accepted: number;
  problems: EdiProblem[];
}

export interface AcknowledgementRecord {
  id: string;
  interchangeId: string;
  partner: string;
  /** 997, 999, TA1, CONTRL. */
  kind: string;
  controlNumber: string;
  /** What it says of the interchange: accepted, partial (accepted with errors / some rejected), rejected. */
  status: string;
  content: string;
  createdAt: string;
}

function toInterchange(r: any): InterchangeRecord {
  return {
    id: r.id,
    partner: r.partner,
    syntax: r.syntax,
    sender: r.sender,
    receiver: r.receiver,
    controlNumber: r.control_number,
    test: r.test,
    sha256: r.sha256,
    size: r.size,
    receivedAt: r.received_at.toISOString(),
    status: r.status,
    transactions: r.transactions,
    accepted: r.accepted,
    problems: r.problems ?? [],
  };
}

function toAck(r: any): AcknowledgementRecord {
  return { id: r.id, interchangeId: r.interchange_id, partner: r.partner, kind: r.kind, controlNumber: r.control_number, status: r.status, content: r.content, createdAt: r.created_at.toISOString() };
}

const COLUMNS = 'id, partner, syntax, sender, receiver, control_number, test, sha256, size, received_at, status, transactions, accepted, problems';

/** Interchanges, their acknowledgements and the control numbers of what the hub sends. */
export class InterchangeStore {
  constructor(private readonly db: Database) {}

  /**
   * Records an interchange unless its sender already used its control number: returns the new record, or the
   * earlier one (`found`) when the number is taken, whatever its bytes.
   */
  async record(tx: Queryable, row: Omit<InterchangeRecord, 'id' | 'receivedAt'> & { bytes: Buffer }): Promise<{ record: InterchangeRecord; found: boolean }> {
    const id = uuidv7();
    const { rows } = await tx.query(
      `INSERT INTO interchanges (id, partner, syntax, sender, receiver, control_number, test, sha256, size, received_at, status, transactions, accepted, problems, bytes)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now(), $10, $11, $12, $13, $14)
       ON CONFLICT ON CONSTRAINT interchanges_number_unique DO NOTHING RETURNING ${COLUMNS}`,
      [id, row.partner, row.syntax, row.sender, row.receiver, row.controlNumber, row.test, row.sha256, row.size, row.status, row.transactions, row.accepted, JSON.stringify(row.problems), row.bytes],
    );
    if (rows[0]) return { record: toInterchange(rows[0]), found: false };
    const existing = await tx.query(`SELECT ${COLUMNS} FROM interchanges WHERE partner = $1 AND syntax = $2 AND sender = $3 AND control_number = $4`, [row.partner, row.syntax, row.sender, row.controlNumber]);
    return { record: toInterchange(existing.rows[0]), found: true };
  }

  /** Sets what became of its transactions, once they are stored. */
  async settle(tx: Queryable, id: string, outcome: { status: InterchangeRecord['status']; accepted: number; problems: EdiProblem[] }): Promise<void> {
    await tx.query('UPDATE interchanges SET status = $2, accepted = $3, problems = $4 WHERE id = $1', [id, outcome.status, outcome.accepted, JSON.stringify(outcome.problems)]);
  }

  async get(id: string): Promise<InterchangeRecord | undefined> {
    const { rows } = await this.db.query(`SELECT ${COLUMNS} FROM interchanges WHERE id = $1`, [id]);
    return rows[0] ? toInterchange(rows[0]) : undefined;
  }

  async bytes(id: string): Promise<Buffer | undefined> {
    const { rows } = await this.db.query<{ bytes: Buffer | null }>('SELECT bytes FROM interchanges WHERE id = $1', [id]);
    return rows[0]?.bytes ?? undefined;
  }

  /** The messages its transactions became, in the order they came. */
  async messages(id: string): Promise<Array<{ id: string; documentType: string; documentNumber: string; status: string }>> {
    const { rows } = await this.db.query('SELECT id, document_type, document_number, status FROM messages WHERE interchange_id = $1 ORDER BY id', [id]);
    return rows.map((r) => ({ id: r.id, documentType: r.document_type, documentNumber: r.document_number, status: r.status }));
  }

  /**
   * Takes the next `count` control numbers of a kind for what the hub sends a partner, in the caller's
   * transaction: increasing and gap-free (a rolled-back transaction gives its numbers back), never the same
   * twice across processes (the row lock). Returns the first. One implementation: src/edi/control-numbers.ts.
   */
  nextNumbers(tx: Queryable, partner: string, syntax: string, kind: 'interchange' | 'group' | 'transaction', count = 1): Promise<number> {
    return takeControlNumbers(tx, partner, syntax, kind, count);
  }

  async saveAck(tx: Queryable, ack: Omit<AcknowledgementRecord, 'id' | 'createdAt'>): Promise<AcknowledgementRecord> {
    const { rows } = await tx.query(
      `INSERT INTO acknowledgements (id, interchange_id, partner, kind, control_number, status, content, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, now())
       RETURNING id, interchange_id, partner, kind, control_number, status, content, created_at`,
      [uuidv7(), ack.interchangeId, ack.partner, ack.kind, ack.controlNumber, ack.status, ack.content],
    );
    return toAck(rows[0]);
  }

  /** Keeps an acknowledgement a partner sent (a 997/999 or CONTRL): what it acknowledges and what it says. */
  async saveReceivedAck(ack: { partner: string; interchangeId: string; kind: string; acknowledges: string; status: string; report: unknown }): Promise<string> {
    const id = uuidv7();
    await this.db.query(
      `INSERT INTO received_acknowledgements (id, partner, interchange_id, kind, acknowledges, status, report, received_at) VALUES ($1, $2, $3, $4, $5, $6, $7, now())`,
      [id, ack.partner, ack.interchangeId, ack.kind, ack.acknowledges, ack.status, JSON.stringify(ack.report)],
    );
    return id;
  }

  /** Records the outbound document (its message id: each outbound document is its own interchange) an acknowledgement matched. */
  async setAckMatch(id: string, outboundMessageId: string): Promise<void> {
    await this.db.query('UPDATE received_acknowledgements SET matched_interchange_id = $2 WHERE id = $1', [id, outboundMessageId]);
  }

  /** Acknowledgements partners sent, newest first (ops): `unmatched` only those no outbound interchange of ours matched. */
  async receivedAcks(options: { partner?: string; unmatched?: boolean; limit: number }): Promise<Array<{ id: string; partner: string; interchangeId: string; kind: string; acknowledges: string; status: string; matchedInterchangeId?: string; receivedAt: string; report: unknown }>> {
    const { rows } = await this.db.query(
      `SELECT id, partner, interchange_id, kind, acknowledges, status, matched_interchange_id, received_at, report FROM received_acknowledgements
        WHERE ($1::text IS NULL OR partner = $1) AND (NOT $2 OR matched_interchange_id IS NULL)
        ORDER BY received_at DESC, id DESC LIMIT $3`,
      [options.partner ?? null, options.unmatched ?? false, options.limit],
    );
    return rows.map((r) => ({ id: r.id, partner: r.partner, interchangeId: r.interchange_id, kind: r.kind, acknowledges: r.acknowledges, status: r.status, ...(r.matched_interchange_id ? { matchedInterchangeId: r.matched_interchange_id } : {}), receivedAt: r.received_at.toISOString(), report: r.report }));
  }

  async acknowledgements(interchangeId: string): Promise<AcknowledgementRecord[]> {
    const { rows } = await this.db.query('SELECT id, interchange_id, partner, kind, control_number, status, content, created_at FROM acknowledgements WHERE interchange_id = $1 ORDER BY created_at, id', [interchangeId]);
    return rows.map(toAck);
  }
}
