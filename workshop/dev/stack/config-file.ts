import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Writes a server's configuration file into its folder (made if need be) and returns the file's path. */
export function writeConfigFile(dir: string, name: string, text: string): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}
