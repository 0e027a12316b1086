/** The engine's answer to an upload (browser mode): where it stored the file. */
export interface UploadResult {
  path: string;
}

/**
 * Browsers do not tell a page where a dropped file lives, so in browser mode the file is uploaded into the
 * studio's data folder (`PUT /api/uploads`) and the project is made from that copy.
 */
export function uploadFile(file: File, onProgress: (fraction: number) => void, signal?: AbortSignal): Promise<UploadResult> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('PUT', `/api/uploads?name=${encodeURIComponent(file.name)}`);
    request.setRequestHeader('Content-Type', 'application/octet-stream');
    request.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    request.onload = () => {
      let body: unknown = null;
      try {
        body = JSON.parse(request.responseText);
      } catch {
        // handled below
      }
      if (request.status >= 200 && request.status < 300 && body && typeof (body as UploadResult).path === 'string') {
        resolve(body as UploadResult);
      } else {
        const message = body && typeof (body as { message?: unknown }).message === 'string' ? (body as { message: string }).message : `HTTP ${request.status}`;
        reject(new Error(`Upload of ${file.name} failed: ${message}`));
      }
    };
    request.onerror = () => reject(new Error(`Upload of ${file.name} failed: the studio engine did not answer. Is it still running?`));
    request.onabort = () => reject(new Error(`Upload of ${file.name} was cancelled.`));
    signal?.addEventListener('abort', () => request.abort(), { once: true });
    request.send(file);
  });
}
