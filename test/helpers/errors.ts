import { ConfigError, type ConfigProblem } from '../../src/domain/errors.js';

/** What tests read off an error the AWS SDK (or the sandbox's raw client) threw. */
export type SdkError = Error & {
  name: string;
  message: string;
  code?: string;
  $metadata?: { httpStatusCode?: number; attempts?: number };
  $response?: { headers: Record<string, string> };
};

/** The rejection of a call (fails the test if the call succeeds). */
export async function rejection(p: Promise<unknown>): Promise<SdkError> {
  try {
    await p;
  } catch (e) {
    return e as SdkError;
  }
  throw new Error('expected the call to fail');
}

/** The problems of the ConfigError `fn` throws (fails the test if it loads, or throws anything else). */
export function configProblemsOf(fn: () => unknown): ConfigProblem[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  throw new Error('expected a ConfigError, but it loaded');
}
