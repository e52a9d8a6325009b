"""Leak Explorer's agent for CPython (3.9+, standard library only).

It writes the heap of the process it runs in as a V8 heap snapshot (the `.heapsnapshot` format that Chrome
DevTools and Leak Explorer read), so that Leak Explorer's whole engine applies to Python unchanged: type
summaries, retainer paths, dominators, retained sizes, byvia, diffs and series.

The graph:
- nodes are Python objects, sized with ``sys.getsizeof`` and named by their type's qualified name (a str by
  its value, as V8 names strings);
- edges are what Python shows: instance attributes (``.cb_kwargs``), dict entries by key (``.referer``,
  or ``[3]`` for an int key), list, tuple and set items (``[3]``), closure variables, and, as internal
  edges, whatever else the garbage collector reports an object refers to;
- the roots are the loaded modules, the threads' stacks, and the objects that the garbage collector tracks
  but that nothing above reaches (held by C code, or unreachable cycles not yet collected).

Ids are stable across the snapshots of one process: an object keeps its id while it lives at the same
address with the same type, so that diffs and series match objects as they do for V8.

Cost: one walk over every object, in Python. The thread that runs it keeps the GIL only as long as any
Python thread does (the interpreter hands it over every ``sys.getswitchinterval()``, 5 ms by default), so
the program's other threads keep running, slowed; the thread that asked waits for the whole walk, as V8's
target does for a snapshot. The garbage collector is paused meanwhile, so that no object moves or goes. Reading an instance's attributes by name makes CPython 3.11+ create the instance's ``__dict__``
if it had none yet (about 50 bytes per such object).

Usage, inside the program::

    import leak_explorer_agent
    leak_explorer_agent.write_snapshot("app.heapsnapshot")

or from the command line, as a wrapper that writes a snapshot whenever the process gets SIGUSR2::

    python -m leak_explorer_agent run app.py [ARGS...]
"""

import collections
import gc
import io
import json
import os
import secrets
import signal
import socket
import stat
import sys
import tempfile
import threading
import time
import types
import weakref

__all__ = ["write_snapshot", "live_refs", "serve", "stop", "main", "AGENT_VERSION"]

# Leak Explorer injects ``import leak_explorer_agent``; a process that still holds an older agent from an
# earlier attach gets this one reloaded when the numbers differ (src/main/inspector/python.ts, AGENT_VERSION).
AGENT_VERSION = 2

_NODE_TYPES = [
    "hidden", "array", "string", "object", "code", "closure", "regexp", "number",
    "native", "synthetic", "concatenated string", "sliced string", "symbol", "bigint", "object shape",
]
_EDGE_TYPES = ["context", "element", "property", "internal", "hidden", "shortcut", "weak"]
_T_STRING, _T_OBJECT, _T_CODE, _T_CLOSURE, _T_NUMBER, _T_NATIVE, _T_SYNTHETIC = 2, 3, 4, 5, 7, 8, 9
_E_CONTEXT, _E_ELEMENT, _E_PROPERTY, _E_INTERNAL, _E_HIDDEN = 0, 1, 2, 3, 4
_MAX_NAME = 1000
_MAX_INDEX = 2 ** 32 - 1


class _State(object):
    """What the agent keeps between snapshots; never part of a snapshot itself."""

    def __init__(self):
        # id(obj) -> node id + (id(type) << 32): an object keeps its node id while it lives at that address
        # with that type. Plain ints, so that the dict holds no object the garbage collector tracks.
        self.ids = {}
        self.next_id = 101
        self.first_seen = {}
        self.lock = threading.Lock()


_STATE = _State()


def _node_id(obj):
    key = id(obj)
    kind = id(type(obj))
    known = _STATE.ids.get(key)
    if known is not None and known >> 32 == kind:
        return known & 0xFFFFFFFF
    node_id = _STATE.next_id
    # Odd ids, as V8 gives heap objects; 2**31 ids are plenty for one process's life.
    _STATE.next_id += 2
    _STATE.ids[key] = node_id | (kind << 32)
    return node_id


def _type_name(kind):
    return getattr(kind, "__qualname__", None) or getattr(kind, "__name__", None) or "object"


def _describe(obj):
    """(node type, name) of an object, as the snapshot shows it."""
    if isinstance(obj, str):
        return _T_STRING, obj[:_MAX_NAME]
    if isinstance(obj, (bool, int, float, complex)):
        return _T_NUMBER, repr(obj)[:100]
    if isinstance(obj, types.FunctionType):
        return _T_CLOSURE, getattr(obj, "__qualname__", obj.__name__)
    if isinstance(obj, (types.BuiltinFunctionType, types.MethodType)):
        return _T_CLOSURE, getattr(obj, "__qualname__", getattr(obj, "__name__", "method"))
    if isinstance(obj, types.CodeType):
        return _T_CODE, getattr(obj, "co_qualname", obj.co_name)
    if isinstance(obj, (bytes, bytearray)):
        return _T_NATIVE, _type_name(type(obj))
    if isinstance(obj, type):
        return _T_OBJECT, "%s (class)" % _type_name(obj)
    return _T_OBJECT, _type_name(type(obj))


_ADDRESS = None


def _key_name(key):
    """A dict key that is not a string, as an edge name: its repr without memory addresses, which differ in
    every snapshot and mean nothing to a person (a weakref key reads ``<weakref to 'Request'>``)."""
    global _ADDRESS
    if _ADDRESS is None:
        import re
        _ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")
    if isinstance(key, weakref.ref):
        target = key()
        return "<weakref to %r>" % _type_name(type(target)) if target is not None else "<dead weakref>"
    try:
        text = repr(key)
    except Exception:
        text = "<%s>" % _type_name(type(key))
    return _ADDRESS.sub("", text)[:80]


def _size(obj):
    try:
        return sys.getsizeof(obj)
    except Exception:  # an object whose __sizeof__ fails still takes room
        return 0


def _instance_dict(obj):
    """The instance's own attribute dict, or None (a type's mappingproxy is not an instance dict)."""
    if isinstance(obj, (type, types.ModuleType)):
        return None
    try:
        d = object.__getattribute__(obj, "__dict__")
    except Exception:
        return None
    return d if type(d) is dict else None


def _slot_values(obj):
    for kind in type(obj).__mro__:
        slots = kind.__dict__.get("__slots__", ())
        if isinstance(slots, str):
            slots = (slots,)
        for name in slots:
            if name in ("__dict__", "__weakref__"):
                continue
            try:
                yield name, object.__getattribute__(obj, name)
            except Exception:
                continue


class _Writer(object):
    """Builds the graph breadth-first, then writes it as JSON."""

    def __init__(self, skip_frames):
        self.objects = []  # ordinal -> object (synthetic nodes hold None)
        self.ordinals = {}  # id(obj) -> ordinal
        self.node_fields = []  # flat: type, name, id, size, edge_count, trace_node_id, detachedness
        self.edges = []  # flat: type, name_or_index, to_ordinal
        self.strings = {"": 0}
        self.string_list = [""]
        self.skip = {id(_STATE), id(_STATE.ids), id(_STATE.first_seen), id(self)}
        self.skip_frames = skip_frames
        self.pending = []
        # V8's `locations` rows (node index, script id, line, column): where the class of an instance was
        # written. V8 gives one to every object with a constructor; here, instances of classes defined in
        # Python source. It is what tells the program's own classes (HtmlResponse, Request) from the
        # interpreter's (dict, str) in the engine, as it tells a script's classes from V8's built-ins.
        self.locations = []
        self.class_locations = {}  # id(type) -> (script id, line, column) or None
        self.scripts = {}  # file -> script id

    def string(self, text):
        index = self.strings.get(text)
        if index is None:
            index = len(self.string_list)
            self.strings[text] = index
            self.string_list.append(text)
        return index

    def ordinal(self, obj):
        key = id(obj)
        found = self.ordinals.get(key)
        if found is None:
            found = len(self.objects)
            self.ordinals[key] = found
            self.objects.append(obj)
            self.pending.append(found)
        return found

    def synthetic(self, name, node_id):
        ordinal = len(self.objects)
        self.objects.append(None)
        self.node_fields.extend((_T_SYNTHETIC, self.string(name), node_id, 0, 0, 0, 0))
        return ordinal

    def edge(self, edge_type, name, target):
        if id(target) in self.skip:
            return 0
        if edge_type in (_E_ELEMENT, _E_HIDDEN):
            name_or_index = int(name)
        else:
            name_or_index = self.string(str(name)[:_MAX_NAME])
        self.edges.extend((edge_type, name_or_index, self.ordinal(target)))
        return 1

    def edges_of(self, obj):
        """The named edges of an object, then every other referent as an internal edge."""
        count = 0
        named = set()
        if isinstance(obj, dict):
            for position, (key, value) in enumerate(list(obj.items())):
                if isinstance(key, int) and not isinstance(key, bool) and 0 <= key <= _MAX_INDEX:
                    count += self.edge(_E_ELEMENT, key, value)
                else:
                    count += self.edge(_E_PROPERTY, key if isinstance(key, str) else _key_name(key), value)
                named.add(id(value))
                if id(key) not in named:
                    count += self.edge(_E_HIDDEN, position, key)
                    named.add(id(key))
        elif isinstance(obj, (list, tuple, collections.deque)):
            for index, value in enumerate(list(obj)):
                count += self.edge(_E_ELEMENT, index, value)
                named.add(id(value))
        elif isinstance(obj, (set, frozenset)):
            for index, value in enumerate(list(obj)):
                count += self.edge(_E_ELEMENT, index, value)
                named.add(id(value))
        elif isinstance(obj, types.FrameType):
            try:
                local_vars = dict(obj.f_locals)
            except Exception:
                local_vars = {}
            for name, value in local_vars.items():
                count += self.edge(_E_CONTEXT, name, value)
                named.add(id(value))
        else:
            attrs = _instance_dict(obj)
            if attrs is not None:
                # The attributes as the instance's own properties; the dict itself as an internal edge.
                for name, value in list(attrs.items()):
                    count += self.edge(_E_PROPERTY, name, value)
                    named.add(id(value))
                count += self.edge(_E_INTERNAL, "__dict__", attrs)
                named.add(id(attrs))
            for name, value in _slot_values(obj):
                if id(value) not in named:
                    count += self.edge(_E_PROPERTY, name, value)
                    named.add(id(value))
            if isinstance(obj, types.FunctionType):
                # What a function holds besides its closure, by the names Python gives them.
                for name in ("__code__", "__globals__", "__name__", "__qualname__", "__doc__", "__module__", "__defaults__", "__kwdefaults__", "__annotations__"):
                    value = getattr(obj, name, None)
                    if value is not None and id(value) not in named:
                        count += self.edge(_E_INTERNAL, name, value)
                        named.add(id(value))
            if isinstance(obj, types.FunctionType) and obj.__closure__:
                for name, cell in zip(obj.__code__.co_freevars, obj.__closure__):
                    try:
                        value = cell.cell_contents
                    except ValueError:
                        continue
                    count += self.edge(_E_CONTEXT, name, value)
                    named.add(id(value))
        try:
            referents = gc.get_referents(obj)
        except Exception:
            referents = []
        for value in referents:
            if id(value) in named or isinstance(value, types.FrameType) and value.f_code.co_filename in self.skip_frames:
                continue
            named.add(id(value))
            count += self.edge(_E_INTERNAL, _type_name(type(value)), value)
        return count

    def drain(self):
        # Breadth-first, a level at a time: every ordinal in a batch is lower than those its visits add.
        while self.pending:
            batch, self.pending = self.pending, []
            for ordinal in batch:
                self.visit(ordinal)

    def visit(self, ordinal):
        obj = self.objects[ordinal]
        node_type, name = _describe(obj)
        first_edge = len(self.edges)
        count = self.edges_of(obj)
        assert len(self.edges) - first_edge == 3 * count
        self.node_fields_at(ordinal, node_type, name, _node_id(obj), _size(obj), count)
        if node_type == _T_OBJECT and not isinstance(obj, (type, types.ModuleType)):
            location = self.class_location(type(obj))
            if location is not None:
                self.locations.extend((ordinal * 7,) + location)

    def class_location(self, kind):
        key = id(kind)
        if key in self.class_locations:
            return self.class_locations[key]
        found = None
        # Classes written in Python are heap types whose module is a source file; C types are neither.
        if kind.__flags__ & (1 << 9):
            module = sys.modules.get(getattr(kind, "__module__", None) or "")
            source = getattr(module, "__file__", None)
            if isinstance(source, str) and source.endswith(".py"):
                script = self.scripts.setdefault(source, len(self.scripts) + 1)
                lines = [value.__code__.co_firstlineno for value in list(vars(kind).values()) if isinstance(value, types.FunctionType)]
                # The class statement is above its first method; 0-based, as V8 writes lines.
                found = (script, max(0, min(lines) - 2) if lines else 0, 0)
        self.class_locations[key] = found
        return found

    def node_fields_at(self, ordinal, node_type, name, node_id, size, count):
        # Nodes are written in ordinal order; an object's fields are filled when it is visited, and visits
        # run in ordinal order too (the queue is first in, first out).
        expected = len(self.node_fields) // 7
        if expected != ordinal:
            raise RuntimeError("leak_explorer_agent: nodes visited out of order")
        self.node_fields.extend((node_type, self.string(name), node_id, min(size, _MAX_INDEX), count, 0, 0))


def _number_by_age():
    """Gives the objects that Scrapy's trackref dates their ids in the order they were created, as V8's ids
    follow allocation order: then the oldest object is also the one with the lowest new id."""
    trackref = sys.modules.get("scrapy.utils.trackref")
    refs = getattr(trackref, "live_refs", None) if trackref is not None else None
    if not refs:
        return
    dated = []
    for per_class in list(refs.values()):
        dated.extend((born, id(obj), obj) for obj, born in list(per_class.items()))
    dated.sort(key=lambda item: (item[0], item[1]))
    for _born, _address, obj in dated:
        _node_id(obj)


def _build(exclude_frames_of):
    """The whole heap as a _Writer, with the roots first."""
    _number_by_age()
    tracked = gc.get_objects()
    writer = _Writer({exclude_frames_of})
    writer.skip.add(id(tracked))
    # Node 0, the root, and its three kinds of roots (their edges are filled below, in node order).
    root = writer.synthetic("", 1)
    modules_root = writer.synthetic("(modules)", 3)
    stacks_root = writer.synthetic("(thread stacks)", 5)
    gc_root = writer.synthetic("(GC roots)", 7)
    writer.edges.extend((_E_ELEMENT, 1, modules_root, _E_ELEMENT, 2, stacks_root, _E_ELEMENT, 3, gc_root))
    writer.node_fields[4] = 3

    # Modules.
    module_edges = 0
    for name, module in sorted(list(sys.modules.items()), key=lambda item: item[0]):
        if module is None or name == __name__:
            continue
        module_edges += writer.edge(_E_PROPERTY, name, module)
    writer.node_fields[7 * modules_root + 4] = module_edges

    # Thread stacks, innermost frame first; the agent's own frames are left out.
    names = {thread.ident: thread.name for thread in threading.enumerate()}
    stack_edges = 0
    for ident, frame in sys._current_frames().items():
        while frame is not None and frame.f_code.co_filename == exclude_frames_of:
            frame = frame.f_back
        if frame is not None:
            stack_edges += writer.edge(_E_PROPERTY, names.get(ident, "thread %d" % ident), frame)
    writer.node_fields[7 * stacks_root + 4] = stack_edges

    # The GC roots' edges belong right here in the edge list (node order), but they are known only after the
    # walk: tracked objects that nothing above reaches. Their place is kept, and they are spliced in there.
    gc_edges_at = len(writer.edges)
    writer.drain()
    gc_edges = []
    for obj in tracked:
        if id(obj) in writer.ordinals or id(obj) in writer.skip or isinstance(obj, types.FrameType) and obj.f_code.co_filename == exclude_frames_of:
            continue
        ordinal = writer.ordinal(obj)
        gc_edges.append(ordinal)
        writer.drain()
    return writer, gc_root, gc_edges_at, gc_edges


def _write_json(writer, gc_root, gc_edges_at, gc_edges, out):
    # The GC roots' edges belong after the stacks' edges (node order); splice them in as they are written.
    edges = writer.edges
    gc_flat = []
    for index, ordinal in enumerate(gc_edges):
        gc_flat.extend((_E_ELEMENT, index + 1, ordinal))
    writer.node_fields[7 * gc_root + 4] = len(gc_edges)
    node_count = len(writer.node_fields) // 7
    edge_count = (len(edges) + len(gc_flat)) // 3
    meta = {
        "node_fields": ["type", "name", "id", "self_size", "edge_count", "trace_node_id", "detachedness"],
        "node_types": [_NODE_TYPES, "string", "number", "number", "number", "number", "number"],
        "edge_fields": ["type", "name_or_index", "to_node"],
        "edge_types": [_EDGE_TYPES, "string_or_number", "node"],
        "trace_function_info_fields": ["function_id", "name", "script_name", "script_id", "line", "column"],
        "trace_node_fields": ["id", "function_info_index", "count", "size", "children"],
        "sample_fields": ["timestamp_us", "last_assigned_id"],
        "location_fields": ["object_index", "script_id", "line", "column"],
    }
    header = {"meta": meta, "node_count": node_count, "edge_count": edge_count, "trace_function_count": 0}
    out.write('{"snapshot":%s,\n"nodes":[' % json.dumps(header, separators=(",", ":")))
    _write_numbers(out, writer.node_fields, 7, 1)
    out.write('],\n"edges":[')
    # to_node is a node index (ordinal x node field count), as V8 writes it.
    flat = edges[:gc_edges_at] + gc_flat + edges[gc_edges_at:]
    _write_numbers(out, flat, 3, 7)
    out.write('],\n"trace_function_infos":[],\n"trace_tree":[],\n"samples":[],\n"locations":[')
    _write_numbers(out, writer.locations, 4, 1)
    out.write('],\n"strings":[')
    for index, text in enumerate(writer.string_list):
        out.write(("," if index else "") + json.dumps(text, ensure_ascii=False))
    out.write("]}\n")


def _write_numbers(out, values, width, scale_last):
    """Writes a flat array of numbers in rows of ``width``, multiplying each row's last by ``scale_last``."""
    step = 4096 * width
    for start in range(0, len(values), step):
        part = values[start:start + step]
        if scale_last != 1:
            part = list(part)
            for i in range(width - 1, len(part), width):
                part[i] *= scale_last
        out.write(("," if start else "") + ",".join(map(str, part)) + "\n")


def _snapshot_to(out):
    with _STATE.lock:
        gc.collect()
        enabled = gc.isenabled()
        gc.disable()
        try:
            writer, gc_root, gc_edges_at, gc_edges = _build(os.path.abspath(__file__))
            _write_json(writer, gc_root, gc_edges_at, gc_edges, out)
        finally:
            if enabled:
                gc.enable()


def write_snapshot(path):
    """Writes the heap of this process to ``path`` as a V8 heap snapshot; returns the path.

    The file appears complete or not at all (written to a temporary name, then renamed).
    """
    temp = "%s.%d.partial" % (path, os.getpid())
    try:
        with open(temp, "w", encoding="utf-8") as out:
            _snapshot_to(out)
        os.replace(temp, path)
    finally:
        if os.path.exists(temp):
            os.unlink(temp)
    return path


def live_refs():
    """Live objects per class with the age of the oldest, as Scrapy's ``prefs()`` shows them.

    From Scrapy's ``trackref.live_refs`` when the program uses it (exact ages); otherwise per-type counts
    from the garbage collector, with ages since the agent first saw the type (lower bounds).
    """
    now = time.time()
    trackref = sys.modules.get("scrapy.utils.trackref")
    if trackref is not None and getattr(trackref, "live_refs", None):
        rows = []
        for cls, refs in list(trackref.live_refs.items()):
            if not refs:
                continue
            oldest = min(refs.values())
            rows.append({"className": cls.__name__, "count": len(refs), "oldestAgeMs": int((now - oldest) * 1000), "ageIsLowerBound": False})
        return {"source": "trackref", "rows": sorted(rows, key=lambda r: -r["count"])}
    counts = {}
    for obj in gc.get_objects():
        name = _type_name(type(obj))
        counts[name] = counts.get(name, 0) + 1
    rows = []
    for name, count in counts.items():
        seen = _STATE.first_seen.setdefault(name, now)
        rows.append({"className": name, "count": count, "oldestAgeMs": int((now - seen) * 1000), "ageIsLowerBound": True})
    return {"source": "gc", "rows": sorted(rows, key=lambda r: -r["count"])}


# --- The agent's server: Leak Explorer talks to it over a Unix socket that only this user can reach, and
# every request carries the token written beside it (0600). One JSON object a line each way.

_SERVER = {"thread": None, "socket": None, "path": None, "info": None, "stop": None}
_CONNECTIONS = {"lock": threading.Lock(), "open": 0, "stop_when_idle": False}
_CHUNK = 1 << 16


def agent_dir():
    """The folder of this user's agents: <tmp>/leak-explorer-<uid>, mode 0700, refused if anyone else owns it."""
    folder = os.path.join(tempfile.gettempdir(), "leak-explorer-%d" % os.getuid())
    os.makedirs(folder, mode=0o700, exist_ok=True)
    facts = os.lstat(folder)
    if not stat.S_ISDIR(facts.st_mode) or facts.st_uid != os.getuid() or facts.st_mode & 0o077:
        raise RuntimeError("leak_explorer_agent: %s is not a private folder of this user" % folder)
    return folder


class _ChunkStream(io.TextIOBase):
    """A text stream that sends what is written as snapshot chunks on the connection."""

    def __init__(self, send, request_id):
        self.send = send
        self.request_id = request_id
        self.parts = []
        self.size = 0

    def write(self, text):
        self.parts.append(text)
        self.size += len(text)
        if self.size >= _CHUNK:
            self.flush()
        return len(text)

    def flush(self):
        if self.parts:
            self.send({"id": self.request_id, "chunk": "".join(self.parts)})
            self.parts = []
            self.size = 0


def _preview(obj, age_ms=None):
    """A live object as the explorer shows it: its node id (the one its snapshots give it), a shortened
    ``repr``, and a few telling attributes (``url``, ``status``…)."""
    try:
        text = repr(obj)
    except Exception as error:  # a broken __repr__ must not break the listing
        text = "<%s: repr failed: %s>" % (_type_name(type(obj)), type(error).__name__)
    attrs = {}
    for name in ("url", "status", "method", "name", "id"):
        try:
            value = getattr(obj, name)
        except Exception:
            continue
        if isinstance(value, (str, int, float, bool)) or value is None:
            attrs[name] = value if not isinstance(value, str) else value[:200]
    return {"nodeId": _node_id(obj), "className": _type_name(type(obj)), "repr": text[:200], "attributes": attrs, "ageMs": age_ms}


def _trackref():
    module = sys.modules.get("scrapy.utils.trackref")
    return module if module is not None and getattr(module, "live_refs", None) is not None else None


def _of_type(class_name):
    return [obj for obj in gc.get_objects() if _type_name(type(obj)) == class_name]


def _instances(class_name, offset, limit):
    """A page of the live instances of a class: trackref's, oldest first with exact ages, when it tracks
    the class; else the garbage collector's, with no age."""
    now = time.time()
    trackref = _trackref()
    if trackref is not None:
        for cls, refs in list(trackref.live_refs.items()):
            if cls.__name__ == class_name:
                items = sorted(((born, obj) for obj, born in list(refs.items())), key=lambda item: item[0])
                rows = [_preview(obj, int((now - born) * 1000)) for born, obj in items[offset:offset + limit]]
                return {"source": "trackref", "total": len(items), "items": rows}
    found = _of_type(class_name)
    return {"source": "gc", "total": len(found), "items": [_preview(obj) for obj in found[offset:offset + limit]]}


def _by_node_id(node_id):
    """The live object that snapshots call ``node_id``, or None (collected, or never seen by a snapshot)."""
    for obj in gc.get_objects():
        known = _STATE.ids.get(id(obj))
        if known is not None and known & 0xFFFFFFFF == node_id and known >> 32 == id(type(obj)):
            return obj
    return None


def _prefs_text():
    rows = live_refs()
    lines = ["Live References (%s)" % ("exact ages, from trackref" if rows["source"] == "trackref" else "the garbage collector's counts; ages since the agent first saw the type"), ""]
    for row in rows["rows"][:50]:
        lines.append("%-30s %6d   oldest: %s%ds ago" % (row["className"], row["count"], ">= " if row["ageIsLowerBound"] else "", row["oldestAgeMs"] // 1000))
    return "\n".join(lines)


def _console_namespace():
    """The program's globals, and prefs(), get_oldest() and iter_all(): Scrapy's own when the program has trackref, else the agent's over
    the garbage collector (no ages). The JavaScript spellings work too, as the app's console suggests them."""
    # The program's own globals are in scope (a copy: what the console assigns stays in the console).
    main = sys.modules.get("__main__")
    namespace = dict(getattr(main, "__dict__", None) or {})
    namespace.update(__name__="__leak_explorer_console__", live_refs=live_refs)
    trackref = _trackref()
    if trackref is not None:
        namespace.update(prefs=trackref.print_live_refs, get_oldest=trackref.get_oldest, iter_all=trackref.iter_all)
    else:
        namespace.update(
            prefs=lambda *_ignore: print(_prefs_text()),
            get_oldest=lambda name: next(iter(_of_type(name)), None),
            iter_all=lambda name: iter(_of_type(name)),
        )
    namespace.update(getOldest=namespace["get_oldest"], iterAll=namespace["iter_all"])
    return namespace


def _evaluate(expression):
    """Evaluates (or, for statements, executes) in the target; what it prints comes back with the value.
    An exception is an answer, not a failure of the agent."""
    out = io.StringIO()
    saved = sys.stdout
    sys.stdout = out
    value = None
    try:
        try:
            code = compile(expression, "<leak-explorer console>", "eval")
        except SyntaxError:
            exec(compile(expression, "<leak-explorer console>", "exec"), _console_namespace())
        else:
            value = eval(code, _console_namespace())
    except BaseException as error:  # SystemExit included: the console must never end the program
        sys.stdout = saved
        return {"ok": False, "description": (out.getvalue() + "%s: %s" % (type(error).__name__, error))[:100000], "type": "error", "properties": []}
    finally:
        sys.stdout = saved
    printed = out.getvalue()
    if value is None or isinstance(value, str):
        text = printed + ("" if value is None else value)
        return {"ok": True, "description": text[:100000], "type": "string" if isinstance(value, str) or printed else "None", "properties": []}
    properties = []
    attrs = _instance_dict(value) or {}
    for name, item in list(attrs.items())[:12]:
        try:
            shown = repr(item)
        except Exception:
            shown = "<%s>" % _type_name(type(item))
        properties.append({"name": str(name), "value": shown[:200], "type": _type_name(type(item))})
    try:
        description = printed + repr(value)
    except Exception:
        description = printed + "<%s>" % _type_name(type(value))
    return {"ok": True, "description": description[:100000], "type": _type_name(type(value)), "properties": properties}


def _usage():
    """How big the heap is, cheaply: the garbage collector's tracked objects, and the process's resident memory."""
    rss = None
    try:
        with open("/proc/self/statm") as statm:
            rss = int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        pass
    return {"trackedObjects": len(gc.get_objects()), "rss": rss}


def _handle(connection, token):
    with _CONNECTIONS["lock"]:
        _CONNECTIONS["open"] += 1
    reader = connection.makefile("r", encoding="utf-8", newline="\n")
    lock = threading.Lock()

    def send(message):
        data = (json.dumps(message, ensure_ascii=False) + "\n").encode("utf-8")
        with lock:
            connection.sendall(data)

    try:
        for line in reader:
            try:
                request = json.loads(line)
                request_id = request.get("id")
            except Exception:
                send({"id": None, "ok": False, "error": {"code": "BAD_REQUEST", "message": "not one JSON object a line"}})
                continue
            if not isinstance(request, dict) or not secrets.compare_digest(str(request.get("token", "")), token):
                send({"id": request_id, "ok": False, "error": {"code": "PERMISSION_DENIED", "message": "wrong or missing token"}})
                continue
            method = request.get("method")
            params = request.get("params") or {}
            try:
                if method == "info":
                    value = dict(_SERVER["info"], trackref=_trackref() is not None)
                elif method == "liveRefs":
                    value = live_refs()
                elif method == "instances":
                    # Node ids are handed out under the snapshot's lock, so that a snapshot and a listing
                    # running at once never give two objects one id.
                    with _STATE.lock:
                        value = _instances(str(params.get("className", "")), int(params.get("offset", 0)), min(int(params.get("limit", 25)), 1000))
                elif method == "preview":
                    with _STATE.lock:
                        found = _by_node_id(int(params.get("nodeId", 0)))
                        value = None if found is None else _preview(found)
                elif method == "count":
                    value = len(_of_type(str(params.get("className", ""))))
                elif method == "collectGarbage":
                    value = gc.collect()
                elif method == "usage":
                    value = _usage()
                elif method == "evaluate":
                    value = _evaluate(str(params.get("expression", "")))
                elif method == "snapshot":
                    stream = _ChunkStream(send, request_id)
                    _snapshot_to(stream)
                    stream.flush()
                    value = {"done": True}
                elif method == "stop":
                    # The explorer that injected the agent asks it to go when it detaches; another explorer
                    # still connected keeps it until the last connection closes (see the finally below).
                    with _CONNECTIONS["lock"]:
                        _CONNECTIONS["stop_when_idle"] = True
                        last = _CONNECTIONS["open"] == 1
                    # Stopped before the answer: once the explorer has it, the socket and files are gone.
                    if last:
                        stop()
                    send({"id": request_id, "ok": True, "value": {"stopped": last}})
                    return
                else:
                    send({"id": request_id, "ok": False, "error": {"code": "BAD_REQUEST", "message": "unknown method %r" % (method,)}})
                    continue
            except Exception as error:  # the target's program goes on whatever a request does
                send({"id": request_id, "ok": False, "error": {"code": "TARGET_ERROR", "message": "%s: %s" % (type(error).__name__, error)}})
                continue
            send({"id": request_id, "ok": True, "value": value})
    except OSError:
        pass
    finally:
        try:
            reader.close()
            connection.close()
        except OSError:
            pass
        with _CONNECTIONS["lock"]:
            _CONNECTIONS["open"] -= 1
            idle = _CONNECTIONS["open"] == 0 and _CONNECTIONS["stop_when_idle"]
        if idle:
            stop()


def serve():
    """Starts the agent's server (once) in a daemon thread; returns the path of its description file,
    ``<agent_dir>/py-<pid>.json`` ({socket, token, pid, python}), readable by this user only."""
    if _SERVER["thread"] is not None:
        return _SERVER["path"]
    folder = agent_dir()
    pid = os.getpid()
    sock_path = os.path.join(folder, "py-%d.sock" % pid)
    info_path = os.path.join(folder, "py-%d.json" % pid)
    for stale in (sock_path, info_path):
        if os.path.exists(stale):
            os.unlink(stale)
    token = secrets.token_hex(24)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(sock_path)
    os.chmod(sock_path, 0o600)
    listener.listen(4)
    listener.settimeout(0.5)
    info = {"pid": pid, "python": "%d.%d.%d" % sys.version_info[:3], "executable": sys.executable}
    descriptor = os.open(info_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as out:
        json.dump(dict(info, socket=sock_path, token=token), out)
    stopping = threading.Event()

    def accept_loop():
        while not stopping.is_set():
            try:
                connection, _ = listener.accept()
            except socket.timeout:
                continue
            except OSError:
                break
            connection.settimeout(None)
            threading.Thread(target=_handle, args=(connection, token), name="leak-explorer-agent-connection", daemon=True).start()
        listener.close()

    thread = threading.Thread(target=accept_loop, name="leak-explorer-agent", daemon=True)
    _SERVER.update(thread=thread, socket=sock_path, path=info_path, info=info, stop=stopping)
    thread.start()
    return info_path


def stop():
    """Stops the server and removes its socket and description file: nothing of the agent is left listening."""
    if _SERVER["thread"] is None:
        return
    _SERVER["stop"].set()
    for path in (_SERVER["socket"], _SERVER["path"]):
        try:
            os.unlink(path)
        except OSError:
            pass
    _SERVER.update(thread=None, socket=None, path=None, info=None, stop=None)
    _CONNECTIONS["stop_when_idle"] = False


def main(argv=None):
    """``python -m leak_explorer_agent run PROGRAM.py [ARGS...]``: runs PROGRAM with the agent's server started,
    so that Leak Explorer can attach by PID with no injection; SIGUSR2 also writes a snapshot to
    ``$LEAK_EXPLORER_SNAPSHOT_DIR`` (default: the current folder)."""
    import runpy

    argv = sys.argv[1:] if argv is None else argv
    if len(argv) < 2 or argv[0] != "run":
        sys.stderr.write("usage: python -m leak_explorer_agent run PROGRAM.py [ARGS...]\n")
        return 2
    program = argv[1]
    folder = os.environ.get("LEAK_EXPLORER_SNAPSHOT_DIR", os.getcwd())

    def on_signal(_signum, _frame):
        path = os.path.join(folder, "python-%d-%d.heapsnapshot" % (os.getpid(), int(time.time() * 1000)))
        write_snapshot(path)
        sys.stderr.write("leak_explorer_agent: wrote %s\n" % path)

    signal.signal(signal.SIGUSR2, on_signal)
    serve()
    sys.argv = argv[1:]
    runpy.run_path(program, run_name="__main__")
    return 0


if __name__ == "__main__":
    sys.exit(main())
