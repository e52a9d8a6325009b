/*
 * The bench's native yardstick: a plain C program that does the core of what `analyze` does to a
 * .heapsnapshot file, with none of its rules, so that the README's "floor" column is a real floor.
 *
 * It reads the file (mapped, from the page cache), decodes the header's field layout, every node and edge
 * integer, scans the strings section (string boundaries and escapes, nothing decoded), builds predecessor
 * lists, computes the dominator tree from the root over the non-weak edges (Lengauer–Tarjan's semi-dominators
 * with path compression, then the immediate dominators as nearest common ancestors: "SEMI-NCA"), and the
 * retained sizes (unreachable nodes are attributed to the root, as the engine does). One thread, -O2.
 *
 * What it leaves out, which the engine does: DevTools' edge rules (page-owned objects, WeakMap ephemerons,
 * shortcuts from synthetic roots), folding owned arrays' sizes, distances, class names and the class summary,
 * and everything the app needs later (the id index, the dominated-node lists, progress, cancellation).
 *
 * The root's retained size must equal the engine's on the same file (the bench compares them): both count
 * every node's self size once. Prints one JSON line: {ms, maxRssBytes, nodes, edges, reachable, rootRetained,
 * readMs, decodeMs, dominatorMs}.
 *
 * Built by scripts/bench.mjs at run time with the machine's `cc -O2` (never committed as a binary).
 * Usage: floor FILE.heapsnapshot
 */
#define _GNU_SOURCE /* memmem */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define NONE UINT32_MAX
/* Linux reads the whole mapping in at once; elsewhere the pages come in as they are touched. */
#ifndef MAP_POPULATE
#define MAP_POPULATE 0
#endif

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static void fail(const char *message) {
  printf("{\"error\":\"%s\"}\n", message);
  exit(1);
}

static void *must_alloc(size_t bytes) {
  void *p = malloc(bytes ? bytes : 1);
  if (!p) fail("out of memory");
  return p;
}

/* The position just after the first `needle` in [from, end), or NULL. */
static const char *after(const char *from, const char *end, const char *needle) {
  size_t n = strlen(needle);
  if (from == NULL || (size_t)(end - from) < n) return NULL;
  const char *hit = memmem(from, (size_t)(end - from), needle, n);
  return hit ? hit + n : NULL;
}

/* Skips a JSON string starting at its opening quote; returns the position after its closing quote. */
static const char *skip_string(const char *p, const char *end) {
  for (p++; p < end; p++) {
    if (*p == '\\') p++;
    else if (*p == '"') return p + 1;
  }
  fail("unterminated string");
  return NULL;
}

/* The index of `name` in the JSON list of strings at `p` ('['), or -1; `*out` gets the position after ']'. */
static int index_in_list(const char *p, const char *end, const char *name, const char **out) {
  int index = -1, i = 0;
  size_t n = strlen(name);
  if (p >= end || *p != '[') fail("expected a list in the meta");
  for (p++; p < end && *p != ']'; p++) {
    if (*p != '"') continue;
    const char *close = skip_string(p, end);
    if ((size_t)(close - p - 2) == n && memcmp(p + 1, name, n) == 0 && index < 0) index = i;
    i++;
    p = close - 1;
  }
  if (out) *out = p + 1;
  return index;
}

/* Parses the unsigned integer after `key` in the header. */
static uint64_t header_number(const char *from, const char *end, const char *key) {
  const char *p = after(from, end, key);
  if (!p) fail("missing count in the header");
  uint64_t value = 0;
  while (p < end && *p >= '0' && *p <= '9') value = value * 10 + (uint64_t)(*p++ - '0');
  return value;
}

/*
 * Decodes `count` non-negative integers of the JSON array starting after `p` into `out`; returns the
 * position after its ']'. Separators are commas and whitespace (V8 writes a newline after each record).
 */
static const char *decode(const char *p, const char *end, uint32_t *out, uint64_t count) {
  uint64_t k = 0;
  while (p < end) {
    unsigned char c = (unsigned char)*p;
    if (c >= '0' && c <= '9') {
      uint64_t v = 0;
      do v = v * 10 + (uint64_t)(*p++ - '0');
      while (p < end && (unsigned char)*p >= '0' && (unsigned char)*p <= '9');
      if (k == count) fail("more integers than the header counts");
      if (v > UINT32_MAX) fail("an integer beyond 32 bits");
      out[k++] = (uint32_t)v;
    } else if (c == ']') {
      if (k != count) fail("fewer integers than the header counts");
      return p + 1;
    } else if (c == ',' || c == '\n' || c == ' ' || c == '\r' || c == '\t') {
      p++;
    } else {
      fail("unexpected character in a number array");
    }
  }
  fail("truncated number array");
  return NULL;
}

int main(int argc, char **argv) {
  if (argc != 2) fail("usage: floor FILE.heapsnapshot");
  double t0 = now_ms();
  int fd = open(argv[1], O_RDONLY);
  if (fd < 0) fail("cannot open the file");
  struct stat st;
  if (fstat(fd, &st) != 0 || st.st_size == 0) fail("cannot stat the file, or it is empty");
  size_t size = (size_t)st.st_size;
  const char *file = mmap(NULL, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
  if (file == MAP_FAILED) fail("cannot map the file");
  const char *end = file + size;
  double t1 = now_ms();

  /* The header: field layout, edge types, counts. The meta comes before any other data. */
  const char *nodes_at = after(file, end, "\"nodes\":[");
  if (!nodes_at) fail("no nodes section");
  const char *header_end = nodes_at;
  const char *q;
  q = after(file, header_end, "\"node_fields\":");
  if (!q) fail("no node_fields");
  int node_field_count = 0;
  {
    const char *close;
    index_in_list(q, header_end, "", &close);
    for (const char *p = q; p < close; p++)
      if (*p == '"') { node_field_count++; p = skip_string(p, close) - 1; }
  }
  int node_self_size = index_in_list(q, header_end, "self_size", NULL);
  int node_edge_count = index_in_list(q, header_end, "edge_count", NULL);
  q = after(file, header_end, "\"edge_fields\":");
  if (!q) fail("no edge_fields");
  int edge_field_count = 0;
  {
    const char *close;
    index_in_list(q, header_end, "", &close);
    for (const char *p = q; p < close; p++)
      if (*p == '"') { edge_field_count++; p = skip_string(p, close) - 1; }
  }
  int edge_type = index_in_list(q, header_end, "type", NULL);
  int edge_to_node = index_in_list(q, header_end, "to_node", NULL);
  if (node_self_size < 0 || node_edge_count < 0 || edge_type < 0 || edge_to_node < 0) fail("the meta lacks a needed field");
  /* edge_types: one element per edge field; the one of the `type` field lists the type names. */
  q = after(file, header_end, "\"edge_types\":[");
  if (!q) fail("no edge_types");
  int weak_type = -1;
  for (int field = 0; q < header_end; field++) {
    while (q < header_end && (*q == ',' || *q == ' ' || *q == '\n')) q++;
    if (*q == '"') { q = skip_string(q, header_end); continue; }
    if (*q != '[') break;
    const char *close;
    int weak = index_in_list(q, header_end, "weak", &close);
    if (field == edge_type) weak_type = weak;
    q = close;
  }
  uint64_t node_count = header_number(file, header_end, "\"node_count\":");
  uint64_t edge_count = header_number(file, header_end, "\"edge_count\":");
  uint64_t root_index = 0;
  if (after(file, header_end, "\"root_index\":")) root_index = header_number(file, header_end, "\"root_index\":");
  if (node_count == 0 || node_count >= NONE) fail("bad node count");
  uint32_t n = (uint32_t)node_count;
  uint32_t root = (uint32_t)(root_index / (uint64_t)node_field_count);

  /* Decode the node and edge arrays. */
  uint64_t node_values = node_count * (uint64_t)node_field_count;
  uint64_t edge_values = edge_count * (uint64_t)edge_field_count;
  uint32_t *nodes = must_alloc(node_values * sizeof(uint32_t));
  uint32_t *edges = must_alloc(edge_values * sizeof(uint32_t));
  const char *p = decode(nodes_at, end, nodes, node_values);
  p = after(p, end, "\"edges\":[");
  if (!p) fail("no edges section");
  p = decode(p, end, edges, edge_values);
  /* The strings: their boundaries and escapes are checked, nothing is decoded (the engine decodes lazily too). */
  p = after(p, end, "\"strings\":[");
  if (!p) fail("no strings section");
  uint64_t string_count = 0;
  for (; p < end && *p != ']'; p++) {
    if (*p == '"') { p = skip_string(p, end) - 1; string_count++; }
  }
  double t2 = now_ms();

  /* Successors in CSR form (edges are grouped by their source node, in node order); weak edges left out. */
  uint32_t *first_edge = must_alloc(((size_t)n + 1) * sizeof(uint32_t));
  uint64_t e = 0;
  for (uint32_t i = 0; i < n; i++) {
    first_edge[i] = (uint32_t)e;
    e += nodes[(uint64_t)i * node_field_count + node_edge_count];
  }
  if (e != edge_count) fail("the nodes' edge counts do not add up to edge_count");
  first_edge[n] = (uint32_t)e;
  uint32_t *target = must_alloc(edge_count * sizeof(uint32_t));
  for (uint64_t k = 0; k < edge_count; k++) {
    const uint32_t *edge = edges + k * edge_field_count;
    uint32_t to = edge[edge_to_node] / (uint32_t)node_field_count;
    if (to >= n) fail("an edge points past the nodes");
    target[k] = (int)edge[edge_type] == weak_type ? NONE : to;
  }
  free(edges);

  /* Depth-first preorder from the root: dfn[node], vertex[dfn], parent[dfn] (all in preorder numbers). */
  uint32_t *dfn = must_alloc((size_t)n * sizeof(uint32_t));
  for (uint32_t i = 0; i < n; i++) dfn[i] = NONE;
  uint32_t *vertex = must_alloc((size_t)n * sizeof(uint32_t));
  uint32_t *parent = must_alloc((size_t)n * sizeof(uint32_t));
  uint32_t *stack_node = must_alloc((size_t)n * sizeof(uint32_t));
  uint32_t *stack_edge = must_alloc((size_t)n * sizeof(uint32_t));
  uint32_t reachable = 0;
  {
    size_t top = 0;
    dfn[root] = reachable;
    vertex[reachable] = root;
    parent[reachable++] = NONE;
    stack_node[top] = root;
    stack_edge[top++] = first_edge[root];
    while (top > 0) {
      uint32_t v = stack_node[top - 1];
      uint32_t k = stack_edge[top - 1];
      if (k == first_edge[v + 1]) { top--; continue; }
      stack_edge[top - 1] = k + 1;
      uint32_t w = target[k];
      if (w == NONE || dfn[w] != NONE) continue;
      dfn[w] = reachable;
      vertex[reachable] = w;
      parent[reachable++] = dfn[v];
      stack_node[top] = w;
      stack_edge[top++] = first_edge[w];
    }
  }
  free(stack_node);

  /* Predecessors of the reachable nodes, by preorder number, in CSR form. */
  uint32_t *pred_start = must_alloc(((size_t)reachable + 1) * sizeof(uint32_t));
  memset(pred_start, 0, ((size_t)reachable + 1) * sizeof(uint32_t));
  for (uint32_t v = 0; v < n; v++) {
    if (dfn[v] == NONE) continue;
    for (uint32_t k = first_edge[v]; k < first_edge[v + 1]; k++)
      if (target[k] != NONE) pred_start[dfn[target[k]] + 1]++;
  }
  for (uint32_t i = 0; i < reachable; i++) pred_start[i + 1] += pred_start[i];
  uint32_t *preds = must_alloc(((size_t)pred_start[reachable] + 1) * sizeof(uint32_t));
  uint32_t *fill = stack_edge; /* reused: a cursor per reachable node */
  memcpy(fill, pred_start, (size_t)reachable * sizeof(uint32_t));
  for (uint32_t v = 0; v < n; v++) {
    if (dfn[v] == NONE) continue;
    for (uint32_t k = first_edge[v]; k < first_edge[v + 1]; k++)
      if (target[k] != NONE) preds[fill[dfn[target[k]]]++] = dfn[v];
  }
  free(target);
  free(first_edge);

  /* Semi-dominators, in reverse preorder, with path compression (ancestor/label), then SEMI-NCA. */
  uint32_t *semi = must_alloc((size_t)reachable * sizeof(uint32_t));
  uint32_t *label = must_alloc((size_t)reachable * sizeof(uint32_t));
  uint32_t *ancestor = must_alloc((size_t)reachable * sizeof(uint32_t));
  uint32_t *path = fill; /* reused: the compression path */
  for (uint32_t i = 0; i < reachable; i++) { semi[i] = i; label[i] = i; ancestor[i] = NONE; }
  for (uint32_t w = reachable - 1; w >= 1; w--) {
    for (uint32_t k = pred_start[w]; k < pred_start[w + 1]; k++) {
      uint32_t v = preds[k];
      uint32_t u = v;
      if (ancestor[v] != NONE) {
        /* Compress the path from v to the root of its tree in the forest, iteratively. */
        size_t length = 0;
        for (uint32_t x = v; ancestor[ancestor[x]] != NONE; x = ancestor[x]) path[length++] = x;
        while (length > 0) {
          uint32_t x = path[--length];
          uint32_t a = ancestor[x];
          if (semi[label[a]] < semi[label[x]]) label[x] = label[a];
          ancestor[x] = ancestor[a];
        }
        u = label[v];
      }
      if (semi[u] < semi[w]) semi[w] = semi[u];
    }
    ancestor[w] = parent[w];
  }
  uint32_t *idom = ancestor; /* reused */
  idom[0] = 0;
  for (uint32_t w = 1; w < reachable; w++) {
    uint32_t d = parent[w];
    while (d > semi[w]) d = idom[d];
    idom[w] = d;
  }

  /* Retained sizes: each node's self size, added up the dominator tree in reverse preorder. */
  double *retained = must_alloc((size_t)reachable * sizeof(double));
  double unreachable_size = 0;
  for (uint32_t v = 0; v < n; v++) {
    double self = nodes[(uint64_t)v * node_field_count + node_self_size];
    if (dfn[v] == NONE) unreachable_size += self;
    else retained[dfn[v]] = self;
  }
  for (uint32_t w = reachable - 1; w >= 1; w--) retained[idom[w]] += retained[w];
  retained[0] += unreachable_size;
  double t3 = now_ms();

  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  printf("{\"ms\":%.3f,\"maxRssBytes\":%ld,\"nodes\":%u,\"edges\":%llu,\"strings\":%llu,\"reachable\":%u,\"rootRetained\":%.0f,\"readMs\":%.3f,\"decodeMs\":%.3f,\"dominatorMs\":%.3f}\n",
         t3 - t0, usage.ru_maxrss * 1024L, n, (unsigned long long)edge_count, (unsigned long long)string_count, reachable, retained[0], t1 - t0, t2 - t1, t3 - t2);
  return 0;
}
