// kinesalite ships no types; this is the part of its API the tests use.
declare module 'kinesalite' {
  import type { Server } from 'node:http';

  interface KinesaliteOptions {
    /** Folder for a LevelDB store; in memory when absent. */
    path?: string;
    createStreamMs?: number;
    deleteStreamMs?: number;
    updateStreamMs?: number;
    shardLimit?: number;
  }

  function kinesalite(options?: KinesaliteOptions): Server;
  export = kinesalite;
}
