/**
 * Payload schemas for every app method, checked at the trust boundary (IPC, WebSocket) before anything
 * runs. A method without a schema does not exist for the UI; the table is a null-prototype object, so
 * `__proto__`, `constructor` or `toString` are not methods either.
 */
import { z } from 'zod';
import type { AppMethod } from '../../shared/app-api.ts';

const id = z.number().int().positive();
const nodeId = z.number().int().nonnegative();
const name = z.string().min(1).max(2000);
const empty = z.object({}).strict();
const limit = z.number().int().positive().max(100_000).optional();
const offset = z.number().int().nonnegative().optional();

const schemas: Record<AppMethod, z.ZodType> = {
  beginStream: z.object({ label: z.string().max(4096), takenAt: z.number() }).strict(),
  writeStream: z.object({ streamId: id, chunk: z.string().max(64 << 20) }).strict(),
  endStream: z.object({ streamId: id }).strict(),
  abortStream: z.object({ streamId: id }).strict(),
  closeSnapshot: z.object({ id }).strict(),
  listSnapshots: empty,
  summary: z.object({ id, filter: z.string().max(500).optional(), sortBy: z.enum(['retainedSize', 'shallowSize', 'count', 'className', 'distance']).optional() }).strict(),
  diff: z.object({ beforeId: id, afterId: id }).strict(),
  newObjects: z.object({ beforeId: id, afterId: id, classNameOrKey: name, limit }).strict(),
  series: z.object({ ids: z.array(id).min(2).max(1000) }).strict(),
  suspects: z
    .object({ ids: z.array(id).min(2).max(1000), minCountGrowth: z.number().int().positive().optional(), minRetainedGrowth: z.number().nonnegative().optional(), maxSuspects: z.number().int().positive().max(1000).optional() })
    .strict(),
  liveRefs: z.object({ ids: z.array(id).optional(), ignore: z.array(name).max(1000).optional(), now: z.number().optional(), scriptClassesOnly: z.boolean().optional() }).strict(),
  sessionLiveRefs: z.object({ sessionId: id, ignore: z.array(name).max(1000).optional(), freshSnapshot: z.boolean().optional(), collectGarbage: z.boolean().optional() }).strict(),
  collectGarbage: z.object({ sessionId: id }).strict(),
  oldestInstance: z.object({ ids: z.array(id).min(1).max(1000), className: name, sessionId: id.optional() }).strict(),
  forgetSnapshot: z.object({ id }).strict(),
  instances: z.object({ ids: z.array(id).min(1), classNameOrKey: name, offset, limit }).strict(),
  oldest: z.object({ ids: z.array(id).min(1), classNameOrKey: name }).strict(),
  instanceRows: z.object({ ids: z.array(id).min(1), classNameOrKey: name, offset, limit: z.number().int().positive().max(1000).optional() }).strict(),
  tree: z.object({ id, kind: z.enum(['retainers', 'dominators', 'containment']), nodeId: nodeId.nullable(), offset, limit: z.number().int().positive().max(1000).optional(), accumulationNodeId: nodeId.optional() }).strict(),
  accumulationPath: z.object({ id, nodeId: nodeId.optional(), classNameOrKey: name.optional() }).strict(),
  statistics: z.object({ id }).strict(),
  retainerPaths: z.object({ id, nodeId, maxPaths: z.number().int().positive().max(50).optional() }).strict(),
  retainerGraph: z
    .object({
      id,
      nodeId,
      maxNodes: z.number().int().positive().max(2000).optional(),
      maxRetainersPerNode: z.number().int().positive().max(200).optional(),
      includeWeak: z.boolean().optional(),
      expand: z.array(nodeId).max(500).optional(),
      collapse: z.array(nodeId).max(500).optional(),
      fold: z.boolean().optional(),
      unfold: z.array(nodeId).max(500).optional(),
    })
    .strict(),
  byVia: z.object({ id, classNameOrKey: name, limit }).strict(),
  referencePattern: z.object({ id, classNameOrKey: name, depth: z.number().int().positive().max(20).optional(), breadth: z.number().int().positive().max(20).optional() }).strict(),
  details: z.object({ id, nodeId, offset, limit }).strict(),
  listProcesses: z.object({ all: z.boolean().optional() }).strict(),
  attach: z
    .object({
      // Checked strictly by attachByPid (parsePid), which says what is wrong with BAD_ARGUMENTS.
      pid: z.union([z.number(), z.string().max(100)]).optional(),
      port: z.number().int().min(1).max(65535).optional(),
      host: z.string().min(1).max(255).optional(),
      url: z.string().min(1).max(2000).optional(),
      allowRemote: z.boolean().optional(),
    })
    .strict(),
  launchDemo: empty,
  detach: z.object({ sessionId: id }).strict(),
  listSessions: empty,
  listWorkers: z.object({ sessionId: id }).strict(),
  attachWorker: z.object({ sessionId: id, workerId: z.string().min(1).max(100) }).strict(),
  heapUsage: z.object({ sessionId: id }).strict(),
  takeSnapshot: z.object({ sessionId: id }).strict(),
  saveSnapshot: z.object({ id }).strict(),
  sessionSnapshots: z.object({ sessionId: id }).strict(),
  liveInstances: z.object({ sessionId: id, className: name, offset, limit }).strict(),
  livePreview: z.object({ sessionId: id, nodeId, className: z.string().max(2000) }).strict(),
  liveCount: z.object({ sessionId: id, className: name }).strict(),
  evaluate: z.object({ sessionId: id, expression: z.string().min(1).max(100_000) }).strict(),
  setTracking: z.object({ sessionId: id, enabled: z.boolean(), trackAllocations: z.boolean().optional() }).strict(),
  initialSnapshots: empty,
  buildReport: z.object({ snapshotIds: z.array(id).min(1).max(1000), sessionId: id.optional(), redactStrings: z.boolean().optional() }).strict(),
  exportReport: z.object({ snapshotIds: z.array(id).min(1).max(1000), sessionId: id.optional(), redactStrings: z.boolean().optional() }).strict(),
};

/** The schema of each method's parameters. */
export const PARAM_SCHEMAS: Readonly<Record<AppMethod, z.ZodType>> = Object.freeze(Object.assign(Object.create(null) as Record<AppMethod, z.ZodType>, schemas));

/** The schema of `method` if it is an app method: own properties only, so inherited names are unknown. */
export function schemaOf(method: unknown): z.ZodType | undefined {
  return typeof method === 'string' && Object.hasOwn(PARAM_SCHEMAS, method) ? PARAM_SCHEMAS[method as AppMethod] : undefined;
}
