/**
 * Ids of notifications already handed to their provider: a redelivery (the process died
 * between the send and the ack, or the ack was lost) is acknowledged without a second send.
 */
export interface SentMarks {
  has(id: string): Promise<boolean>;
  mark(id: string): Promise<void>;
}
