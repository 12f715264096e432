import type { Response } from 'express';

/** S3's error codes for the statuses a fault rule may ask the S3 stand-in for. */
const S3_CODES: Readonly<Record<number, string>> = {
  400: 'InvalidArgument',
  403: 'AccessDenied',
  404: 'NoSuchKey',
  412: 'PreconditionFailed',
  429: 'SlowDown',
  500: 'InternalError',
  503: 'SlowDown',
};

export function s3ErrorCode(status: number): string {
  return S3_CODES[status] ?? 'InternalError';
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** S3's XML error body (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html). */
export function sendS3Error(res: Response, status: number, code: string, message: string): void {
  res
    .status(status)
    .type('application/xml')
    .send(
      `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${escapeXml(code)}</Code>` +
        `<Message>${escapeXml(message)}</Message><RequestId>EMULATOR</RequestId></Error>`,
    );
}

/** The 201 body of a POST Object with success_action_status=201. */
export function postResponseXml(location: string, bucket: string, key: string, etag: string): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<PostResponse><Location>${escapeXml(location)}</Location>` +
    `<Bucket>${escapeXml(bucket)}</Bucket><Key>${escapeXml(key)}</Key><ETag>"${etag}"</ETag></PostResponse>`
  );
}
