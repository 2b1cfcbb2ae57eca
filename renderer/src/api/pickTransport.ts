// One contract, two transports: the Electron preload bridge when present, else HTTP.
import { BRIDGE_GLOBAL, type ApiTransport } from '../../../main/api/contract.js';
import { createHttpTransport, takeToken } from './httpTransport.js';

export function bridge(): ApiTransport | null {
  const candidate = (window as unknown as Record<string, unknown>)[BRIDGE_GLOBAL] as ApiTransport | undefined;
  return candidate && typeof candidate.call === 'function' && typeof candidate.subscribe === 'function' ? candidate : null;
}

export function pickTransport(): ApiTransport {
  return bridge() ?? createHttpTransport(takeToken());
}

/** The local path of a dropped file or folder when the platform can tell (Electron's bridge); null in a browser. */
export function droppedPath(file: File): string | null {
  const p = bridge()?.droppedPath?.(file);
  return typeof p === 'string' && p ? p : null;
}
