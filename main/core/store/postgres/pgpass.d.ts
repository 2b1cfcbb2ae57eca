// pgpass 1.0.5 ships no types. Its helper is used directly so the file comes from our resolved settings
// (PGPASSFILE, else ~/.pgpass). usePgPass refuses a file readable by group or others, warning on stderr like libpq.
declare module 'pgpass/lib/helper.js' {
  import type { Stats } from 'node:fs';
  import type { Readable } from 'node:stream';
  interface PgPassLookup {
    host: string;
    port: number | string;
    database: string;
    user: string;
  }
  const helper: {
    usePgPass(stats: Stats, fileName: string): boolean;
    getPassword(lookup: PgPassLookup, stream: Readable, callback: (password: string | undefined) => void): void;
  };
  export default helper;
}
