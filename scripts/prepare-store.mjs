// Build step after tsc: makes dist/db/prepared, a new embedded database with every migration in
// db/migrations applied, which a first open copies instead of running initdb and the migrations
// (db/store.ts). A migration added later is picked up by the next build; until then a copy of
// the older one is brought up to date on open.
import { prepareDatabase, preparedFolder } from '../dist/db/store.js';

const started = Date.now();
await prepareDatabase(preparedFolder());
process.stdout.write(`prepared the embedded database in ${preparedFolder()} (${Date.now() - started} ms)\n`);
