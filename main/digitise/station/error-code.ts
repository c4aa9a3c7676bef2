import { AppError, type ErrorCode } from '../../../common/contract';
import { isDeviceError } from '../../../drivers';
import { FileImportError } from './file-pages';

/**
 * The contract code an error maps to: device faults and app errors keep theirs, unreadable captures are
 * IMAGE_UNREADABLE.
 */
export function errorCodeOf(err: unknown, fallback: ErrorCode): ErrorCode {
  if (isDeviceError(err)) return err.code;
  if (err instanceof AppError) return err.code;
  if (err instanceof FileImportError) return 'IMAGE_UNREADABLE';
  if (typeof err === 'object' && err !== null && 'code' in err && err.code === 'CAPTURE_UNREADABLE')
    return 'IMAGE_UNREADABLE';
  return fallback;
}
