// Runs the Pictory test server on its own, e.g. for a demo against a local VS Code:
//   node out/test/server/main.js [--port N] [--polls N]
import { startPictoryServer } from './pictoryServer';

function numberOption(name: string): number | undefined {
  const index = process.argv.indexOf(name);
  if (index < 0) return undefined;
  const value = Number(process.argv[index + 1]);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} needs a non-negative integer`);
  return value;
}

async function main(): Promise<void> {
  const server = await startPictoryServer({ port: numberOption('--port'), pollsUntilDone: numberOption('--polls') });
  console.log(`Pictory test server listening at ${server.baseUrl}`);
  console.log(`Its storage host (signed uploads) listens at ${server.storage.origin}`);
  const stop = () => void server.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
