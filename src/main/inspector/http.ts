/**
 * The inspector's HTTP endpoints (/json/version, /json/list), with timeouts, spoken to directly so that a
 * closed, busy or foreign port gives a clear answer quickly.
 */
import { request } from 'node:http';
import { LeakExplorerError } from '../../shared/errors.ts';
import { z } from 'zod';

const targetSchema = z.object({
  id: z.string(),
  type: z.string().optional(),
  title: z.string().optional(),
  url: z.string().optional(),
  description: z.string().optional(),
  webSocketDebuggerUrl: z.string().optional(),
});

/** A debuggable target listed by /json/list. */
export type InspectorTarget = z.infer<typeof targetSchema>;

/** GETs a JSON document from an inspector endpoint. */
export function getJson(host: string, port: number, path: string, timeoutMs: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path, method: 'GET', timeout: timeoutMs, headers: { host: `${host}:${port}` } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        } catch (error) {
          reject(new LeakExplorerError('INSPECTOR_UNREACHABLE', `${host}:${port} answered, but not as an inspector.`, { cause: error, remedy: 'Check the port: another program listens there.' }));
        }
      });
    });
    req.on('timeout', () => {
      req.destroy();
      reject(new LeakExplorerError('INSPECTOR_UNREACHABLE', `${host}:${port} did not answer within ${timeoutMs} ms.`));
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      req.destroy();
      reject(new LeakExplorerError('INSPECTOR_UNREACHABLE', `Cannot reach an inspector at ${host}:${port} (${error.code ?? error.message}).`, { cause: error }));
    });
    req.end();
  });
}

/** Lists the targets an inspector offers. */
export async function listTargets(host: string, port: number, timeoutMs = 3000): Promise<InspectorTarget[]> {
  const parsed = z.array(targetSchema).safeParse(await getJson(host, port, '/json/list', timeoutMs));
  if (!parsed.success) {
    throw new LeakExplorerError('INSPECTOR_UNREACHABLE', `${host}:${port} answered /json/list with something that is not a target list.`, { remedy: 'Check the port: another program listens there.' });
  }
  return parsed.data;
}

/** Whether an inspector answers at host:port. */
export async function probeInspector(host: string, port: number, timeoutMs: number): Promise<boolean> {
  try {
    const version = (await getJson(host, port, '/json/version', timeoutMs)) as Record<string, unknown>;
    return typeof version === 'object' && version !== null && ('Protocol-Version' in version || 'Browser' in version);
  } catch {
    return false;
  }
}
