/**
 * Named profiles of the AWS shared config files, read the way the SDK and the AWS CLI read them, so a
 * profile that does not exist is reported before any AWS call — naming the files that were read — rather
 * than after the SDK has tried every credential source and answered "Could not load credentials from any
 * providers".
 *
 * Where: $AWS_CONFIG_FILE (default ~/.aws/config), whose sections are `[default]` and `[profile NAME]`,
 * and $AWS_SHARED_CREDENTIALS_FILE (default ~/.aws/credentials), whose sections are `[NAME]`. ~ is $HOME.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../domain/errors.js';

export interface SharedConfigFiles {
  config: string;
  credentials: string;
}

function home(env: NodeJS.ProcessEnv): string {
  return env.HOME || env.USERPROFILE || homedir();
}

const expandHome = (path: string, env: NodeJS.ProcessEnv): string => (path.startsWith('~/') ? join(home(env), path.slice(2)) : path);

export function sharedConfigFiles(env: NodeJS.ProcessEnv = process.env): SharedConfigFiles {
  return {
    config: expandHome(env.AWS_CONFIG_FILE || join(home(env), '.aws', 'config'), env),
    credentials: expandHome(env.AWS_SHARED_CREDENTIALS_FILE || join(home(env), '.aws', 'credentials'), env),
  };
}

/** Section names of an INI text (comments after `#` or `;` ignored, as the SDK does). */
function sections(text: string): string[] {
  const names: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const trimmed = line.split(/(^|\s)[;#]/)[0]!.trim();
    if (trimmed.startsWith('[') && trimmed.endsWith(']')) names.push(trimmed.slice(1, -1).trim());
  }
  return names;
}

function readIfThere(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** The profiles the two files define, and which of the files could be read at all. */
export function listProfiles(env: NodeJS.ProcessEnv = process.env): { profiles: Set<string>; read: string[]; missing: string[] } {
  const files = sharedConfigFiles(env);
  const profiles = new Set<string>();
  const read: string[] = [];
  const missing: string[] = [];
  const config = readIfThere(files.config);
  if (config === undefined) missing.push(files.config);
  else {
    read.push(files.config);
    for (const s of sections(config)) {
      // In the config file a profile is `[profile NAME]`; `[default]` is the one exception.
      const named = /^profile\s+(\S+)$/.exec(s);
      if (named) profiles.add(named[1]!);
      else if (s === 'default') profiles.add('default');
    }
  }
  const credentials = readIfThere(files.credentials);
  if (credentials === undefined) missing.push(files.credentials);
  else {
    read.push(files.credentials);
    for (const s of sections(credentials)) profiles.add(s);
  }
  return { profiles, read, missing };
}

/**
 * Throws UsageError (exit 2) when `profile` is defined in neither shared file. `source` is how the user
 * named it: "--profile" or "AWS_PROFILE".
 */
export function requireProfile(profile: string, source: string, env: NodeJS.ProcessEnv = process.env): void {
  const { profiles, read, missing } = listProfiles(env);
  if (profiles.has(profile)) return;
  const where = [
    read.length > 0 ? `read ${read.join(' and ')}` : undefined,
    missing.length > 0 ? `${missing.join(' and ')} ${missing.length === 1 ? 'does' : 'do'} not exist` : undefined,
  ].filter((x) => x !== undefined);
  const known = [...profiles].sort();
  const have = known.length > 0 ? `; profiles defined: ${known.join(', ')}` : '; no profile is defined';
  throw new UsageError(
    `${source}: profile "${profile}" does not exist (${where.join('; ')}${have}). ` +
      'Create it with "aws configure --profile NAME" or "aws configure sso", or set AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE to the files that define it.',
  );
}
