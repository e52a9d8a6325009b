/**
 * The report's JSON format (schemaVersion 1), as a zod schema. `npm run build:schema` writes it out as a
 * JSON Schema to resources/report.schema.json, the documented contract; a test checks real reports
 * against that file.
 */
import { z } from 'zod';

/** Where V8 saw the function, in the generated JavaScript, when a source map gave the original position (issue 18). */
const generated = z
  .object({ url: z.string(), line: z.number().int(), column: z.number().int() })
  .optional()
  .describe('When a source map gave the original position: the position in the generated JavaScript');
const stackFrame = z.object({ functionName: z.string(), url: z.string(), line: z.number().int(), column: z.number().int(), generated });
const closure = z
  .object({ name: z.string(), script: z.string().nullable(), line: z.number().int(), column: z.number().int(), generated })
  .describe('For a function or a closure context: the function, its script (full URL) and 1-based line and column')
  .optional();
const definedByProgram = z
  .boolean()
  .optional()
  .describe("True when the class has a constructor in the program's scripts (not a V8 category such as (string), not an object literal); the charts plot these");
const pathStep = z.object({ nodeId: z.number().int(), className: z.string(), edgeName: z.string(), edgeType: z.string(), closure });
const graphNode = z.object({
  nodeId: z.number().int(),
  className: z.string(),
  name: z.string(),
  closure,
  type: z.string(),
  shallowSize: z.number(),
  retainedSize: z.number(),
  distance: z.number().int(),
  isRoot: z.boolean(),
  truncated: z.boolean(),
  group: z
    .object({
      key: z.number().int(),
      repeat: z.number().int(),
      segment: z.array(z.object({ className: z.string(), edgeName: z.string(), edgeType: z.string() })),
      objects: z.number().int(),
      pathSteps: z.number().int(),
    })
    .optional()
    .describe('On a group node (negative nodeId): a stretch of the shortest path that repeats `segment` `repeat` times, folded into one node standing for `objects` heap objects'),
  unfoldedFrom: z.number().int().optional(),
});

const retainerGraph = z
  .object({
    targetNodeId: z.number().int(),
    nodes: z.array(graphNode),
    edges: z.array(z.object({ from: z.number().int(), to: z.number().int(), name: z.string(), type: z.string(), onShortestPath: z.boolean() })),
    includesWeak: z.boolean(),
    layout: z.object({
      width: z.number(),
      height: z.number(),
      nodeWidth: z.number(),
      nodeHeight: z.number(),
      nodes: z.array(z.object({ nodeId: z.number().int(), x: z.number(), y: z.number() })),
      edges: z.array(z.object({ from: z.number().int(), to: z.number().int(), points: z.array(z.tuple([z.number(), z.number()])) })),
    }),
  });

const suspect = z.object({
  rank: z.number().int(),
  headline: z.string(),
  rule: z.string(),
  leakingEdge: z.object({ ownerClassName: z.string(), ownerNodeId: z.number().int(), edgeName: z.string() }),
  containerNodeId: z.number().int(),
  containerClassName: z.string(),
  classNames: z.array(z.string()),
  countGrowth: z.number().nullable().describe('Entries added per minute'),
  bytesGrowth: z.number().nullable().describe('Bytes of retained growth per minute'),
  countAdded: z.number().int(),
  retainedGrowth: z.number().describe('Bytes born during the series that the new entries keep alive (shared bytes split)'),
  holds: z.object({ className: z.string(), via: z.string() }).nullable(),
  path: z.array(pathStep.extend({ repeat: z.number().int().optional(), segment: z.number().int().optional() })).describe('From a leaked object to a GC root; a folded segment repeats `repeat` times'),
  closures: z.array(z.object({ name: z.string(), script: z.string().nullable(), line: z.number().int(), column: z.number().int(), generated, count: z.number().int() })),
  merged: z.number().int(),
  chain: z
    .object({ linkEdge: z.string(), lengths: z.array(z.number().int()), lengthGrowth: z.number().int() })
    .optional()
    .describe('A linked list that grew (rule linked-chain): the edge linking each object to the next, and its length in each snapshot'),
  allocationStack: z
    .array(stackFrame)
    .optional()
    .describe('Where a representative leaked object was allocated, innermost frame first (snapshots taken with allocation tracking on)'),
});

/** The report document. */
export const reportSchema = z
  .object({
    schemaVersion: z.literal(1),
    generatedAt: z.string().describe('ISO 8601 time the report was made'),
    origin: z.string().describe('The command line, or the app, that made the report'),
    versions: z.object({ leakExplorer: z.string(), node: z.string(), platform: z.string() }),
    target: z.object({ pid: z.number().int().nullable(), title: z.string(), kind: z.string(), nodeVersion: z.string().nullable() }).nullable(),
    headline: z.object({
      text: z.string().describe('What is leaking, in one sentence'),
      className: z.string().nullable(),
      countDelta: z.number(),
      sizeDelta: z.number(),
      perMinute: z.number().nullable(),
      durationMs: z.number(),
      suspects: z.array(z.string()).describe("The leak suspects' headlines, in rank order"),
    }),
    snapshots: z.array(z.object({ file: z.string(), nodeCount: z.number().int(), edgeCount: z.number().int(), totalSize: z.number(), takenAt: z.string() })).min(1),
    liveRefs: z
      .array(
        z.object({
          className: z.string(),
          count: z.number().int(),
          shallowSize: z.number().nullable(),
          retainedSize: z.number().nullable(),
          oldestAgeMs: z.number().nullable(),
          ageIsLowerBound: z.boolean(),
        }),
      )
      .describe('The fields of `leak-explorer refs --json`'),
    summary: z.array(z.object({ className: z.string(), count: z.number().int(), shallowSize: z.number(), retainedSize: z.number(), distance: z.number().int() })).describe('The fields of `analyze --json`'),
    diff: z
      .array(z.object({ className: z.string(), added: z.number().int().nullable(), removed: z.number().int().nullable(), countDelta: z.number().int(), sizeDelta: z.number(), definedByProgram }))
      .nullable()
      .describe('added and removed are null when idSpaceMismatch: which objects are new cannot be known'),
    series: z.array(z.object({ className: z.string(), counts: z.array(z.number()), sizes: z.array(z.number()), onlyGrew: z.boolean(), definedByProgram })).nullable(),
    onlyGrew: z.array(z.string()),
    retainers: z
      .object({
        nodeId: z.number().int(),
        className: z.string(),
        paths: z.array(z.array(pathStep)),
        closure,
        allocationStack: z
          .array(stackFrame)
          .nullable()
          .optional()
          .describe('Where the object was allocated, innermost frame first; null when the snapshot has no allocation tracking'),
      })
      .nullable(),
    oldestSource: z
      .enum(['trackref', 'allocation-tracking', 'first-snapshot', 'lowest-id'])
      .nullable()
      .describe('What made the retainers\' object the oldest of its class: a clock, the first snapshot that held it, or only its heap id'),
    retainerGraph: retainerGraph.nullable(),
    suspectGraph: retainerGraph
      .nullable()
      .optional()
      .describe("The top suspect's representative object's retainer graph, folded and laid out like retainerGraph"),
    byVia: z.array(z.object({ via: z.string(), retainerClass: z.string(), count: z.number().int(), shallowSize: z.number(), share: z.number() })).nullable(),
    suspects: z.array(suspect).nullable().describe('The leak suspects, in rank order (the fields of `leak-explorer suspects --json`); null for one snapshot'),
    idSpaceMismatch: z.boolean().describe('True when the snapshots come from different inspector sessions: ids cannot be matched'),
    warnings: z.array(z.string()).describe('Warnings about the series, each starting with its code'),
    redacted: z.boolean(),
    allocations: z
      .object({
        samplingInterval: z.number().int().describe('Average bytes between two samples'),
        durationMs: z.number(),
        profiles: z.number().int(),
        sites: z.array(
          stackFrame.extend({
            liveBytes: z.number(),
            growthBytesPerMinute: z.number(),
            growsInEveryInterval: z.boolean(),
            liveBytesSeries: z.array(z.number()),
            stack: z.array(stackFrame).describe('The allocating frame first, then its callers'),
          }),
        ),
      })
      .nullable()
      .optional()
      .describe("The top growing allocation sites of the session's sampling run (no snapshot), when it had one"),
  })
  .describe('A Leak Explorer report (leak-explorer watch/report --json, or Export report in the app)');

/** The JSON Schema document for the report. */
export function reportJsonSchema(): object {
  return { $id: 'urn:leak-explorer:report:1', ...z.toJSONSchema(reportSchema, { target: 'draft-2020-12' }) };
}
