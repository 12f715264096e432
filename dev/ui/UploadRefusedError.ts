/** A refused upload: the status to answer and a message naming the limit and the way round it. */
export class UploadRefusedError extends Error {
  public override name = 'UploadRefusedError';
  public constructor(
    public readonly status: 411 | 413,
    message: string,
  ) {
    super(message);
  }
}
