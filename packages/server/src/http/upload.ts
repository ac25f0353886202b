import type { FastifyRequest } from 'fastify';
import { AppError } from '../errors.ts';

/**
 * The one file of a multipart upload (field "file"), read into memory up to `maxBytes`
 * (the multipart plugin's limit): a clear 415 when the request is not multipart, 400 when it
 * holds no file, 413 when the file is too large.
 */
export async function uploadedBytes(
  request: FastifyRequest,
  maxBytes: number,
  what = 'photo',
): Promise<Buffer> {
  if (!request.isMultipart()) {
    throw new AppError(
      'unsupported_media_type',
      `Send the ${what} as multipart/form-data in a field named "file"`,
    );
  }
  const part = await request.file();
  if (!part) throw new AppError('validation_failed', 'No file in the upload', { field: 'file' });
  try {
    return await part.toBuffer();
  } catch {
    throw new AppError('payload_too_large', `The file is larger than the limit of ${maxBytes} bytes`);
  }
}
