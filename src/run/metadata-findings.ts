/**
 * Findings of the metadata object mode. The engine evaluates a group of objects (all current objects of a
 * bucket sharing encryption, Bucket Key and KMS key) as one object named `*`; this turns each such finding
 * into the group's finding: resource `arn:aws:s3:::<bucket>/*`, an id of its own per group (the group's
 * values are part of the hashed identity, so ids stay stable from run to run), the object count and the
 * sample keys in `evidence.objects`, and the count at the head of the message.
 *
 * Counting: the report lists the group's finding once, and the summary counts it once per object (the
 * tally's weight), so `summary`, the gate and `--fail-on` mean what they mean in the other modes.
 */
import { findingId } from '../engine/evaluate.js';
import type { Finding } from '../domain/finding.js';
import type { MetadataGroup } from '../collect/metadata/scan.js';
import { plural } from '../domain/text.js';

function groupLabel(g: MetadataGroup): string {
  const parts = [`encryption ${g.key.encryptionStatus ?? 'none'}`, `Bucket Key ${g.key.bucketKeyEnabled ? 'on' : 'off'}`];
  if (g.key.kmsKeyArn !== undefined) parts.push(`KMS key ${g.key.kmsKeyArn ?? 'none'}`);
  return parts.join(', ');
}

/** The group's finding (group undefined: the bucket's table could not be read; the finding stands for the whole bucket). */
export function groupFinding(f: Finding, g: MetadataGroup | undefined): Finding {
  const arn = `arn:aws:s3:::${f.resource.bucket}/*`;
  const resource = { type: 'object' as const, arn, account: f.resource.account, region: f.resource.region, bucket: f.resource.bucket };
  if (!g) {
    return { ...f, id: findingId(resource.account, arn, f.policy, f.rule), resource, message: f.message.replace(`s3://${f.resource.bucket}/*`, `s3://${f.resource.bucket}`) };
  }
  const identity = `${arn}?encryption=${g.key.encryptionStatus ?? ''}&bucketKey=${String(g.key.bucketKeyEnabled)}${g.key.kmsKeyArn !== undefined ? `&kmsKeyArn=${g.key.kmsKeyArn ?? ''}` : ''}`;
  return {
    ...f,
    id: findingId(resource.account, identity, f.policy, f.rule),
    resource,
    message: `${plural(g.objects, 'object')} in s3://${f.resource.bucket} (${groupLabel(g)}): ${f.message}`,
    evidence: {
      ...f.evidence,
      objects: {
        count: g.objects,
        sampleKeys: g.sampleKeys,
        encryptionStatus: g.key.encryptionStatus,
        bucketKeyEnabled: g.key.bucketKeyEnabled,
        ...(g.key.kmsKeyArn !== undefined ? { kmsKeyArn: g.key.kmsKeyArn } : {}),
      },
    },
  };
}
