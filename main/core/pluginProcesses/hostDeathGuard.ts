import { spawn, type ChildProcess } from 'node:child_process';

/**
 * Ends a plugin process when its host dies, even a host killed with SIGKILL while the plugin's code spins
 * in an endless loop (the plugin process then handles no event, not even its IPC channel closing).
 *
 * A tiny shell waits on a pipe whose other end only this host holds. However the host ends, the kernel
 * closes that end, the shell's `read` returns, and it kills the plugin process. When the plugin process
 * ends first, the host kills the shell (never closing the pipe), so it never signals anything else.
 * A shell costs about 1 MB; the watcher thread it replaces cost each plugin process 11 MB and 56 ms.
 * Windows needs none: libuv puts every child process in a job object that ends with its parent.
 */
export function guardAgainstHostDeath(pluginPid: number | undefined): { end(): void } {
  if (process.platform === 'win32' || pluginPid === undefined) return { end: () => undefined };
  let shell: ChildProcess | null = spawn('/bin/sh', ['-c', 'read _; kill -9 "$1"', 'session-inspector-guard', String(pluginPid)], {
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  // No shell here: the plugin process still ends when its IPC channel closes, unless it spins.
  shell.on('error', () => undefined);
  shell.stdin?.on('error', () => undefined);
  shell.unref();
  (shell.stdin as { unref?: () => void } | null)?.unref?.(); // the pipe must not keep the host's event loop alive
  return {
    end: () => {
      shell?.kill('SIGKILL');
      shell = null;
    },
  };
}
