/**
 * The S3 errors more than one operation answers with (code, status, message and the extra XML
 * fields S3 puts in the <Error> body), built in one place so every operation words them alike.
 */
import { AwsError } from '../protocol.js';

export const invalidArgument = (message: string, name: string, value?: string): AwsError =>
  new AwsError('InvalidArgument', 400, message, value === undefined ? { ArgumentName: name } : { ArgumentName: name, ArgumentValue: value });

export const malformedXml = (): AwsError =>
  new AwsError('MalformedXML', 400, 'The XML you provided was not well-formed or did not validate against our published schema');

export const noSuchBucket = (name: string): AwsError => new AwsError('NoSuchBucket', 404, 'The specified bucket does not exist', { BucketName: name });

export const accessDenied = (headers: Record<string, string> = {}): AwsError => new AwsError('AccessDenied', 403, 'Access Denied', {}, headers);

export const notImplemented = (operation: string): AwsError =>
  new AwsError('NotImplemented', 501, `A header you provided implies functionality that is not implemented: the sandbox does not model ${operation}`);

export const noSuchKey = (key: string): AwsError => new AwsError('NoSuchKey', 404, 'The specified key does not exist.', { Key: key });

export const noSuchVersion = (key: string, versionId: string): AwsError =>
  new AwsError('NoSuchVersion', 404, 'The specified version does not exist.', { Key: key, VersionId: versionId });
