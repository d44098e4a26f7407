/**
 * The lean paths' clock check (src/aws/lean-request.ts clockSkewSuspected): an error answer whose Date is
 * far from the local clock is left to the SDK, which would correct its offset and retry it; and the
 * $metadata the lean paths give their errors, read from the same headers as the SDK's.
 */
import { expect } from 'chai';
import { clockSkewSuspected, sdkMetadata } from '../../src/aws/lean-request.js';

const dateIn = (ms: number): string => new Date(Date.now() + ms).toUTCString();

describe('aws/lean-request: the clock check and the SDK metadata of lean errors', () => {
  it('a Date within a minute of the local clock is no skew; four minutes (the SDK\'s threshold) and more is', () => {
    expect(clockSkewSuspected({ date: dateIn(0) })).to.equal(false);
    expect(clockSkewSuspected({ date: dateIn(-30_000) })).to.equal(false);
    expect(clockSkewSuspected({ date: dateIn(240_000) })).to.equal(true);
    expect(clockSkewSuspected({ date: dateIn(-600_000) })).to.equal(true);
  });

  it('no Date, an unreadable one, or an Age header (the SDK then ignores the Date): no skew, as for the SDK', () => {
    expect(clockSkewSuspected({})).to.equal(false);
    expect(clockSkewSuspected({ date: 'not a date' })).to.equal(false);
    expect(clockSkewSuspected({ date: dateIn(600_000), age: '12' })).to.equal(false);
  });

  it('metadata: status, the request ids S3 sends, one attempt', () => {
    expect(sdkMetadata(404, { 'x-amz-request-id': 'R1', 'x-amz-id-2': 'H1', 'x-amz-cf-id': 'C1' })).to.deep.equal({
      httpStatusCode: 404,
      requestId: 'R1',
      extendedRequestId: 'H1',
      cfId: 'C1',
      attempts: 1,
      totalRetryDelay: 0,
    });
    expect(sdkMetadata(403, { 'x-amzn-requestid': 'A', 'x-amz-request-id': 'B' }).requestId).to.equal('A');
  });
});
