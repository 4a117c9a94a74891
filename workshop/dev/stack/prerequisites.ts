/**
 * What the local stack needs on the machine: Java 17+, Maven, and MariaDB's server binaries. All missing pieces are
 * reported in one message with the command that installs them.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, realpathSync } from 'node:fs';
import path from 'node:path';
import { EnvironmentError } from '#core/errors.js';

export interface Tools {
  java: string;
  javaHome: string;
  mvn: string;
  mariadbd: string;
  mariadbInstallDb: string;
}

/** Server binaries live in sbin on Debian, which a normal user's PATH may not hold. */
const extraDirs = ['/usr/sbin', '/usr/local/sbin', '/usr/local/bin', '/opt/homebrew/bin', '/usr/local/opt/mariadb/bin'];

export function findExecutable(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const dirs = [...(env.PATH ?? '').split(path.delimiter).filter(Boolean), ...extraDirs];
  for (const dir of dirs) {
    const candidate = path.join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function javaMajorVersion(java: string): number | undefined {
  // The JVM prints its settings on stderr.
  const result = spawnSync(java, ['-XshowSettings:properties', '-version'], { encoding: 'utf8', timeout: 20_000 });
  return parseJavaVersion(`${result.stdout ?? ''}${result.stderr ?? ''}`);
}

function parseJavaVersion(settings: string): number | undefined {
  const match = /java\.specification\.version = (\d+)/.exec(settings);
  return match ? Number(match[1]) : undefined;
}

export function findTools(env: NodeJS.ProcessEnv = process.env): Tools {
  const missing: string[] = [];
  const javaFromHome = env.JAVA_HOME ? path.join(env.JAVA_HOME, 'bin', 'java') : undefined;
  const java = javaFromHome && isExecutable(javaFromHome) ? javaFromHome : findExecutable('java', env);
  let javaHome = '';
  if (!java) {
    missing.push(
      'Java 17 or newer (Debian/Ubuntu: apt-get install openjdk-17-jdk-headless; macOS: brew install openjdk@17)',
    );
  } else {
    const major = javaMajorVersion(java);
    if (major === undefined || major < 17) {
      missing.push(`Java 17 or newer (found ${major ?? 'an unknown version'} at ${java}; set JAVA_HOME to a JDK 17+)`);
    }
    javaHome = env.JAVA_HOME ?? path.dirname(path.dirname(realpathSync(java)));
    if (!isExecutable(path.join(javaHome, 'bin', 'javac'))) {
      missing.push(
        `a JDK, not only a Java runtime: no javac in ${javaHome}/bin (Debian/Ubuntu: apt-get install openjdk-17-jdk-headless)`,
      );
    }
  }
  const mvn = findExecutable('mvn', env);
  if (!mvn) missing.push('Apache Maven (Debian/Ubuntu: apt-get install maven; macOS: brew install maven)');
  const mariadbd = findExecutable('mariadbd', env);
  const mariadbInstallDb = findExecutable('mariadb-install-db', env);
  if (!mariadbd || !mariadbInstallDb) {
    missing.push(
      'MariaDB server binaries (Debian/Ubuntu: apt-get install mariadb-server; macOS: brew install mariadb)',
    );
  }
  if (missing.length > 0 || !java || !mvn || !mariadbd || !mariadbInstallDb) {
    throw new MissingPrerequisites(missing);
  }
  return { java, javaHome, mvn, mariadbd, mariadbInstallDb };
}

export class MissingPrerequisites extends EnvironmentError {
  constructor(readonly missing: string[]) {
    super(
      `the local stack needs software this machine lacks:\n${missing.map((m) => `  - ${m}`).join('\n')}`,
      'install the items above, then run the command again',
    );
  }
}

/** Whether this user may run `file`. */
export function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
