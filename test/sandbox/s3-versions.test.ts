/**
 * S3 Versioning in the sandbox, through the real SDK over HTTP: ListObjectVersions with non-current
 * versions (newest first per key, pages that end inside a key and resume by key and version marker),
 * reads of a given version, version ids on writes, Get/PutBucketVersioning, and deleting a version.
 * The object audit's `versions: true` walks exactly this.
 */
import { expect } from 'chai';
import {
  DeleteObjectCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  type ListObjectVersionsCommandOutput,
  type ObjectVersion,
  type S3Client,
} from '@aws-sdk/client-s3';
import { resolve } from 'node:path';
import { packageRoot } from '../../src/paths.js';
import { s3For, useSandbox } from '../helpers/sandbox.js';

const ESTATE = resolve(packageRoot(), 'test/fixtures/objects/estate.yaml');
const CMK = 'arn:aws:kms:us-east-1:777788889999:key/7777cccc-0000-4000-8000-000000000001';
const OLD = 'arn:aws:kms:us-east-1:777788889999:key/7777cccc-0000-4000-8000-000000000002';

async function allVersions(s3: S3Client, bucket: string, maxKeys: number): Promise<{ versions: ObjectVersion[]; pages: ListObjectVersionsCommandOutput[] }> {
  const versions: ObjectVersion[] = [];
  const pages: ListObjectVersionsCommandOutput[] = [];
  let keyMarker: string | undefined;
  let versionIdMarker: string | undefined;
  for (let i = 0; i < 50; i++) {
    const page = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, MaxKeys: maxKeys, KeyMarker: keyMarker, VersionIdMarker: versionIdMarker }));
    pages.push(page);
    versions.push(...(page.Versions ?? []));
    if (!page.IsTruncated) break;
    keyMarker = page.NextKeyMarker;
    versionIdMarker = page.NextVersionIdMarker;
  }
  return { versions, pages };
}

describe('sandbox S3 Versioning (ListObjectVersions with non-current versions)', function () {
  this.timeout(20_000);
  const box = useSandbox({ estate: ESTATE });
  const s3 = (): S3Client => s3For(box.sb, 'objects');

  it('lists every version, newest first within a key, with IsLatest only on the current one', async () => {
    const { versions } = await allVersions(s3(), 'obj-versioned', 1000);
    expect(versions.map((v) => [v.Key, v.IsLatest, v.Size])).to.deep.equal([
      ['a.csv', true, 10],
      ['a.csv', false, 9],
      ['a.csv', false, 8],
      ['b.csv', true, 20],
      ['b.csv', false, 19],
      ['c.csv', true, 30],
    ]);
    const ids = versions.map((v) => v.VersionId);
    expect(new Set(ids).size, 'version ids are distinct').to.equal(6);
    for (const id of ids) expect(id).to.match(/^[A-Za-z0-9_-]{32}$/);
  });

  it('pages end inside a key and resume after the version marker, listing each version once', async () => {
    const whole = await allVersions(s3(), 'obj-versioned', 1000);
    const paged = await allVersions(s3(), 'obj-versioned', 2);
    expect(paged.pages).to.have.length(3);
    expect(paged.pages[0]!.NextKeyMarker).to.equal('a.csv');
    expect(paged.pages[0]!.NextVersionIdMarker).to.equal(whole.versions[1]!.VersionId);
    expect(paged.pages[1]!.Versions!.map((v) => v.Key)).to.deep.equal(['a.csv', 'b.csv']);
    expect(paged.versions.map((v) => v.VersionId)).to.deep.equal(whole.versions.map((v) => v.VersionId));
    expect(paged.pages.at(-1)!.IsTruncated).to.equal(false);
  });

  it('HeadObject and GetObject read the version asked for; an unknown version is 404 (NoSuchVersion on GET)', async () => {
    const { versions } = await allVersions(s3(), 'obj-versioned', 1000);
    const [current, older, oldest] = versions;
    const head = async (versionId?: string) => s3().send(new HeadObjectCommand({ Bucket: 'obj-versioned', Key: 'a.csv', VersionId: versionId }));
    const now = await head();
    expect([now.VersionId, now.ServerSideEncryption, now.SSEKMSKeyId, now.ContentLength]).to.deep.equal([current!.VersionId, 'aws:kms', CMK, 10]);
    const v1 = await head(older!.VersionId);
    expect([v1.VersionId, v1.ServerSideEncryption, v1.SSEKMSKeyId, v1.ContentLength]).to.deep.equal([older!.VersionId, 'AES256', undefined, 9]);
    const v2 = await head(oldest!.VersionId);
    expect(v2.ServerSideEncryption).to.equal('aws:kms');
    expect(v2.SSEKMSKeyId).to.match(/^arn:aws:kms:us-east-1:777788889999:key\//).and.not.equal(CMK); // aws/s3
    const b = await s3().send(new HeadObjectCommand({ Bucket: 'obj-versioned', Key: 'b.csv', VersionId: versions[4]!.VersionId }));
    expect(b.SSEKMSKeyId).to.equal(OLD);

    const missing = 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
    const headErr = await head(missing).catch((e: Error & { $metadata?: { httpStatusCode?: number } }) => e);
    expect((headErr as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode).to.equal(404);
    const getErr = await s3()
      .send(new GetObjectCommand({ Bucket: 'obj-versioned', Key: 'a.csv', VersionId: missing }))
      .catch((e: Error) => e);
    expect((getErr as Error).name).to.equal('NoSuchVersion');
  });

  it('a PUT on a versioned bucket makes a new current version and keeps the old one', async () => {
    const put = await s3().send(new PutObjectCommand({ Bucket: 'obj-versioned', Key: 'c.csv', Body: 'new', ServerSideEncryption: 'AES256' }));
    expect(put.VersionId).to.match(/^[A-Za-z0-9_-]{32}$/);
    const { versions } = await allVersions(s3(), 'obj-versioned', 1000);
    const c = versions.filter((v) => v.Key === 'c.csv');
    expect(c.map((v) => [v.VersionId === put.VersionId, v.IsLatest, v.Size])).to.deep.equal([
      [true, true, 3],
      [false, false, 30],
    ]);
  });

  it('Get/PutBucketVersioning: Enabled, Suspended (new objects get version "null"), none for a bucket that never had it', async () => {
    expect((await s3().send(new GetBucketVersioningCommand({ Bucket: 'obj-versioned' }))).Status).to.equal('Enabled');
    expect((await s3().send(new GetBucketVersioningCommand({ Bucket: 'obj-many' }))).Status).to.equal(undefined);
    await s3().send(new PutBucketVersioningCommand({ Bucket: 'obj-special-keys', VersioningConfiguration: { Status: 'Suspended' } }));
    expect((await s3().send(new GetBucketVersioningCommand({ Bucket: 'obj-special-keys' }))).Status).to.equal('Suspended');
    const put = await s3().send(new PutObjectCommand({ Bucket: 'obj-special-keys', Key: 'suspended.txt', Body: 'x' }));
    expect(put.VersionId).to.equal('null');
  });

  it('DeleteObject with a version id removes that version; without one it adds a delete marker that hides the key', async () => {
    const before = (await allVersions(s3(), 'obj-versioned', 1000)).versions.filter((v) => v.Key === 'b.csv');
    await s3().send(new DeleteObjectCommand({ Bucket: 'obj-versioned', Key: 'b.csv', VersionId: before[1]!.VersionId }));
    const after = (await allVersions(s3(), 'obj-versioned', 1000)).versions.filter((v) => v.Key === 'b.csv');
    expect(after.map((v) => v.VersionId)).to.deep.equal([before[0]!.VersionId]);
    const deleted = await s3().send(new DeleteObjectCommand({ Bucket: 'obj-versioned', Key: 'a.csv' }));
    expect(deleted.DeleteMarker).to.equal(true);
    expect(deleted.VersionId).to.be.a('string');
    const listed = await s3().send(new ListObjectVersionsCommand({ Bucket: 'obj-versioned', Prefix: 'a.csv' }));
    expect(listed.DeleteMarkers?.map((m) => [m.Key, m.VersionId, m.IsLatest])).to.deep.equal([['a.csv', deleted.VersionId, true]]);
    expect(listed.Versions?.map((v) => [v.Size, v.IsLatest])).to.deep.equal([[10, false], [9, false], [8, false]]);
    // The key is gone for reads without a version id (404 with x-amz-delete-marker), and from ListObjectsV2.
    const get = await s3()
      .send(new GetObjectCommand({ Bucket: 'obj-versioned', Key: 'a.csv' }))
      .catch((e: Error & { $metadata?: { httpStatusCode?: number } }) => e);
    expect((get as Error).name).to.equal('NoSuchKey');
    // Removing the delete marker by its version id brings the object back.
    const undelete = await s3().send(new DeleteObjectCommand({ Bucket: 'obj-versioned', Key: 'a.csv', VersionId: deleted.VersionId }));
    expect(undelete.DeleteMarker).to.equal(true);
    expect((await s3().send(new HeadObjectCommand({ Bucket: 'obj-versioned', Key: 'a.csv' }))).ContentLength).to.equal(10);
  });
});
