// IM images over HTTPS with the sign-in token in the Authorization header (never in the URL):
// upload to a conversation, and fetch for display as a blob: URL (cached per file for the page).
import { ParleyError } from '../protocol/errors';

export interface UploadedImage {
  file_id: string;
  mime: string;
  size: number;
}

/** The largest upload the server takes (docs/protocol.md: 5 MiB). */
export const maxImageBytes = 5 * 1024 * 1024;

async function failure(response: Response): Promise<ParleyError> {
  let code = 'internal';
  let message = `HTTP ${response.status}`;
  try {
    const body = (await response.json()) as { error?: { code?: string; message?: string } };
    code = body.error?.code ?? code;
    message = body.error?.message ?? message;
  } catch {
    /* not JSON */
  }
  return new ParleyError(code, message);
}

export async function uploadImage(conversationId: string, file: Blob, token: string): Promise<UploadedImage> {
  if (file.size > maxImageBytes) throw new ParleyError('payload_too_large', 'the image is over 5 MiB');
  let response: Response;
  try {
    response = await fetch(`/api/v1/conversations/${encodeURIComponent(conversationId)}/images`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/octet-stream' },
      body: file,
    });
  } catch {
    throw new ParleyError('disconnected', 'the server cannot be reached');
  }
  if (response.status !== 201) throw await failure(response);
  return (await response.json()) as UploadedImage;
}

const cache = new Map<string, Promise<string>>();

/** A blob: URL for an image of a conversation (fetched once per page). */
export function imageUrl(conversationId: string, fileId: string, token: string): Promise<string> {
  const key = `${conversationId}/${fileId}`;
  let p = cache.get(key);
  if (!p) {
    p = (async () => {
      const response = await fetch(`/api/v1/conversations/${encodeURIComponent(conversationId)}/images/${encodeURIComponent(fileId)}`, {
        headers: { Authorization: `Bearer ${token}` },
      });
      if (!response.ok) throw await failure(response);
      return URL.createObjectURL(await response.blob());
    })();
    p.catch(() => cache.delete(key));
    cache.set(key, p);
  }
  return p;
}

/** Forgets a deleted image (its bytes are gone on the server too). */
export function forgetImage(conversationId: string, fileId: string) {
  const key = `${conversationId}/${fileId}`;
  const p = cache.get(key);
  cache.delete(key);
  void p?.then((url) => URL.revokeObjectURL(url)).catch(() => {});
}
