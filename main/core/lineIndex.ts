import type { LineStart, SessionFile } from './sessionFile.js';

/**
 * Where the lines of a session file start, so a reader can begin at line N (a finding's line, the next page
 * of the transcript) without reading the file from its start each time: one line start per
 * CHECKPOINT_BYTES, found by one pass over the file's newlines the first time a far line is asked for,
 * and remembered for the file as it was (path, size, modification time). A page then reads at most
 * CHECKPOINT_BYTES before its first line.
 */
const CHECKPOINT_BYTES = 4 << 20;
/** Files whose checkpoints are remembered (each holds 256 per GiB). */
const REMEMBERED_FILES = 32;

interface Checkpoints {
  /** Sorted by lineNo (and byte); the first is line 1 at byte 0. */
  starts: LineStart[];
}

const remembered = new Map<string, Checkpoints>();

/** The closest known start at or before `lineNo` (line 1 for a small file: nothing to skip). */
export async function lineStartBefore(file: SessionFile, lineNo: number): Promise<LineStart> {
  if (lineNo <= 1 || file.sizeBytes <= CHECKPOINT_BYTES) return { lineNo: 1, byte: 0 };
  const key = `${file.path}\0${file.sizeBytes}\0${file.modifiedMs}`;
  let checkpoints = remembered.get(key);
  if (checkpoints)
    remembered.delete(key); // most recently used last
  else checkpoints = await index(file);
  remembered.set(key, checkpoints);
  while (remembered.size > REMEMBERED_FILES) remembered.delete(remembered.keys().next().value!);
  let best = checkpoints.starts[0];
  for (const start of checkpoints.starts) {
    if (start.lineNo > lineNo) break;
    best = start;
  }
  return best;
}

async function index(file: SessionFile): Promise<Checkpoints> {
  const starts: LineStart[] = [{ lineNo: 1, byte: 0 }];
  let offset = 0;
  let newlines = 0;
  let nextCheckpoint = CHECKPOINT_BYTES;
  for await (const chunk of file.hashedChunks(0, false)) {
    for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) {
      newlines++;
      if (offset + at + 1 >= nextCheckpoint) {
        starts.push({ lineNo: newlines + 1, byte: offset + at + 1 });
        nextCheckpoint = offset + at + 1 + CHECKPOINT_BYTES;
      }
    }
    offset += chunk.length;
  }
  return { starts };
}
