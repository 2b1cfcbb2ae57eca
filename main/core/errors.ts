/** Bad usage or input: a flag, path or field is wrong. The message names it. CLI exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Something else holds what we need (a processor run, the database file). CLI exit code 3. */
export class BusyError extends Error {
  override readonly name = 'BusyError';
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  try {
    return `non-Error value thrown: ${String(error)}`;
  } catch {
    return 'non-Error value thrown';
  }
}

/** Node fs error code (ENOENT, EACCES, …) or undefined. */
export function errnoCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}
