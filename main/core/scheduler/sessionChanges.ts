/** What a batch of file events amounts to (both watchers report it). */
export interface SessionChanges {
  /** A session file (or a folder) was created, or a session file written to. */
  upserted: boolean;
  /** Something was deleted (a session file, or a folder that may have held some). */
  deleted: boolean;
}
