import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ASSET_CACHE_CONTROL, ASSET_CONTENT_TYPE, ASSETS_PATH, type ClientManifest } from '../../shared/http/assets.js';
import { SECURITY_HEADERS, type HttpResponse } from '../../shared/http/response.js';

/**
 * The local stand-in for CloudFront's `/assets/*`: the files of the build `npm start` made, held in memory (four
 * small files), answered with the headers CloudFront and the bucket give them. Only the manifest's files exist: the
 * manifest itself and any older or unhashed name (`/assets/app.js`) are 404, as in the bucket.
 */

export type ClientFiles = ReadonlyMap<string, string>;

export async function loadClientFiles(dir: string, manifest: ClientManifest): Promise<ClientFiles> {
  return new Map(await Promise.all(Object.values(manifest).map(async (file) => [file, await readFile(join(dir, file), 'utf8')] as const)));
}

export function isClientFilePath(pathname: string): boolean {
  return pathname.startsWith(ASSETS_PATH);
}

export function clientFileResponse(files: ClientFiles, pathname: string): HttpResponse {
  const body = files.get(pathname.slice(ASSETS_PATH.length));
  if (body === undefined) {
    return {
      statusCode: 404,
      headers: { ...SECURITY_HEADERS, 'cache-control': 'no-store', 'content-type': 'text/plain; charset=utf-8' },
      body: '未找到该文件。',
    };
  }
  return {
    statusCode: 200,
    headers: { ...SECURITY_HEADERS, 'cache-control': ASSET_CACHE_CONTROL, 'content-type': ASSET_CONTENT_TYPE },
    body,
  };
}
