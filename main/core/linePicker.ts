/**
 * Which lines one consumer of a pass wants: null for every line, else the lines whose raw UTF-8 bytes
 * contain at least one of the needles (checked before decoding, so unwanted lines are never parsed).
 */
export type LineSelection = readonly string[] | null;

/**
 * Decides, line by line, which groups want a line: a bit per group (at most 31 groups). Needles shared by
 * several groups are searched once. Within a chunk each needle's next occurrence is remembered, so a rare
 * needle costs one scan of the chunk, not one per line.
 */
export class LinePicker {
  /** Bits of the groups that take every line. */
  private readonly allLines: number;
  private readonly needles: Buffer[] = [];
  /** Per needle: bits of the groups it selects for. */
  private readonly needleGroups: number[] = [];
  /** Per needle: next occurrence in the current chunk at or after the last line start; -1 none; -2 not searched yet. */
  private readonly next: number[] = [];

  constructor(groups: readonly LineSelection[]) {
    if (groups.length > 31) throw new Error('a pass serves at most 31 groups');
    let all = 0;
    groups.forEach((selection, g) => {
      if (selection === null) {
        all |= 1 << g;
        return;
      }
      for (const text of selection) {
        if (text === '' || text.includes('\n')) throw new Error('a line selection string must be non-empty and hold no newline');
        const needle = Buffer.from(text, 'utf8');
        const known = this.needles.findIndex((n) => n.equals(needle));
        if (known >= 0) this.needleGroups[known] |= 1 << g;
        else {
          this.needles.push(needle);
          this.needleGroups.push(1 << g);
          this.next.push(-2);
        }
      }
    });
    this.allLines = all;
  }

  newChunk(): void {
    this.next.fill(-2);
  }

  /** Group bits for the line [start, end) of buffer; inChunk: buffer is the current chunk (else a joined line). */
  pick(buffer: Buffer, start: number, end: number, inChunk: boolean): number {
    let picked = this.allLines;
    for (let n = 0; n < this.needles.length; n++) {
      const groups = this.needleGroups[n];
      if ((picked & groups) === groups) continue; // already taken by every group this needle serves
      let at: number;
      if (inChunk) {
        at = this.next[n];
        if (at === -2 || (at !== -1 && at < start)) this.next[n] = at = buffer.indexOf(this.needles[n], start);
      } else {
        at = buffer.indexOf(this.needles[n], start);
      }
      if (at !== -1 && at + this.needles[n].length <= end) picked |= groups;
    }
    return picked;
  }
}
