import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface WindowBounds {
  x?: number;
  y?: number;
  width: number;
  height: number;
  maximized: boolean;
}

const DEFAULT_BOUNDS: WindowBounds = { width: 1280, height: 820, maximized: false };

/** The window's last size and place (the renderer remembers its own view and theme). */
export function readWindowState(file: string): WindowBounds {
  try {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as Partial<WindowBounds>;
    const sane = (n: unknown, min: number) => (typeof n === 'number' && Number.isFinite(n) && n >= min ? n : undefined);
    return {
      x: sane(saved.x, -10_000),
      y: sane(saved.y, -10_000),
      width: sane(saved.width, 400) ?? DEFAULT_BOUNDS.width,
      height: sane(saved.height, 300) ?? DEFAULT_BOUNDS.height,
      maximized: saved.maximized === true,
    };
  } catch {
    return { ...DEFAULT_BOUNDS };
  }
}

export function writeWindowState(file: string, bounds: WindowBounds): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, JSON.stringify(bounds));
  renameSync(`${file}.tmp`, file);
}
