/** Reading a JSON 1.1 request body and the InvalidInputException AWS Organizations answers bad input with. */
import { AwsError } from '../protocol.js';

export type Json = Record<string, unknown>;

/** InvalidInputException with its Reason (API reference, "InvalidInputException"). */
export const invalidInput = (reason: string, message: string): AwsError => new AwsError('InvalidInputException', 400, message, { Reason: reason });

export function parseInput(body: Buffer): Json {
  if (body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw new AwsError('SerializationException', 400, 'Start of structure or map found where not expected.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new AwsError('SerializationException', 400, 'Start of structure or map found where not expected.');
  }
  return parsed as Json;
}

export function requiredString(input: Json, name: string, pattern: RegExp, reason: string): string {
  const v = input[name];
  if (v === undefined || v === null) throw invalidInput('INPUT_REQUIRED', `You must specify a value for ${name}.`);
  if (typeof v !== 'string') throw new AwsError('SerializationException', 400, `${name} must be a string`);
  if (!pattern.test(v)) throw invalidInput(reason, `You specified an invalid value for ${name}.`);
  return v;
}
