/**
 * The AWS flags every AWS-calling command shares (commands.ts AWS_OPTIONS), as the AwsOptions the
 * adapter takes: the one place they are translated.
 */
import { DEFAULT_MAX_SOCKETS, type AwsOptions } from '../aws/options.js';
import type { AwsFlags } from './commands.js';

/** `concurrency`: requests the command runs at once; each account's agent must allow as many sockets. */
export function awsOptionsFrom(flags: AwsFlags, concurrency: number): AwsOptions {
  const aws: AwsOptions = { maxSockets: Math.max(DEFAULT_MAX_SOCKETS, concurrency) };
  if (flags.endpointUrl) aws.endpoint = flags.endpointUrl;
  if (flags.region) aws.region = flags.region;
  if (flags.profile) aws.profile = flags.profile;
  if (flags.assumeRoles.length > 0) aws.assumeRoles = flags.assumeRoles;
  if (flags.maxAttempts !== undefined) aws.maxAttempts = flags.maxAttempts;
  return aws;
}
