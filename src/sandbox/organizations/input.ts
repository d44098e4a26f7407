/** The InvalidInputException AWS Organizations answers bad input with, and the checks that raise it. */
import { AwsError, type JsonInput } from '../protocol.js';

export type Json = JsonInput;

/** InvalidInputException with its Reason (API reference, "InvalidInputException"). */
export const invalidInput = (reason: string, message: string): AwsError => new AwsError('InvalidInputException', 400, message, { Reason: reason });

export function requiredString(input: Json, name: string, pattern: RegExp, reason: string): string {
  const v = input[name];
  if (v === undefined || v === null) throw invalidInput('INPUT_REQUIRED', `You must specify a value for ${name}.`);
  if (typeof v !== 'string') throw new AwsError('SerializationException', 400, `${name} must be a string`);
  if (!pattern.test(v)) throw invalidInput(reason, `You specified an invalid value for ${name}.`);
  return v;
}
