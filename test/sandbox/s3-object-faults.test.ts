/**
 * Per-object faults the object audit's tests rely on, through the real SDK: a `NoSuchKey` fault answers
 * like an object deleted after it was listed (GET: 404 NoSuchKey; HEAD: a bare 404, which the SDK names
 * NotFound), only for the keys it names.
 */
import { expect } from 'chai';
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { resolve } from 'node:path';
import { packageRoot } from '../../src/paths.js';
import { s3For, useSandbox } from '../helpers/sandbox.js';

describe('sandbox per-object faults (NoSuchKey: deleted after listing)', () => {
  const box = useSandbox({ estate: resolve(packageRoot(), 'test/fixtures/objects/estate.yaml') });

  it('answers 404 for the faulted keys only', async () => {
    box.sb.estate.buckets.get('obj-calm')!.faults.push({ operation: '*', keys: 't/1*', error: 'NoSuchKey' });
    const s3 = s3For(box.sb, 'objects');
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'obj-calm', Key: 't/10' })).catch((e: Error & { $metadata: { httpStatusCode?: number } }) => e);
    expect([(head as Error).name, (head as { $metadata: { httpStatusCode?: number } }).$metadata.httpStatusCode]).to.deep.equal(['NotFound', 404]);
    const get = await s3.send(new GetObjectCommand({ Bucket: 'obj-calm', Key: 't/11' })).catch((e: Error) => e);
    expect((get as Error).name).to.equal('NoSuchKey');
    expect((await s3.send(new HeadObjectCommand({ Bucket: 'obj-calm', Key: 't/20' }))).ContentLength).to.equal(64);
  });
});
