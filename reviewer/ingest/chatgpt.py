"""ChatGPT data export: ``conversations.json`` (or ``conversations-NNN.json``).

The file is a JSON array, read one conversation at a time. Each conversation
is a ``mapping`` tree of nodes (``parent``/``children``); the branch that
ends at ``current_node`` is what the user last saw (when ``current_node`` is
missing or unknown, the newest leaf stands in). Message order, which is
``Message.index``:

1. the active branch, root to ``current_node`` (``branch=active``);
2. then every other node that holds a message (edits, regenerations), in
   depth-first order from the root following each node's ``children`` list,
   then any node no root reaches, in file order (``branch=alternate``).

Walks are cycle-safe. Nodes whose message is null, and messages with no text
and no placeholder, carry nothing to review and are skipped. Content parts
and content fields are joined with a newline. Hidden content is kept and
marked: system and custom-instruction/memory context (``system``), tool
output and tool calls (``tool``), visually hidden messages and reasoning
(``hidden``). Image, audio and file pointers become ``[image: file-abc]``
style placeholders, counted in ``Message.placeholders``. JSON that a message
sends to a tool (a canvas document to ``canmore.*``, a query to ``web.run``)
is stored as readable ``key: value`` lines; other code as written.

Web-search results and cited sources live in the message's ``metadata``
(``search_result_groups[].entries[]``, ``content_references[]`` with their
``items``, ``fallback_items``, ``supporting_websites``, ``sources`` and ``images``,
``citations[].metadata``, ``search_queries[].q``, and 2023 browsing's
``_cite_metadata.metadata_list``): their titles, addresses,
snippets and queries follow the message as a message of their own, content
type ``search_results``, visibility ``tool``, even when the message itself
has no text.

No other free text is dropped: strings under keys this module does not read
(a node's, a message's, its author's, its content's or a content part's other
keys, and message metadata such as a DALL-E image's ``prompt``, a task's
``async_task_prompt`` or a ``targeted_reply``) follow the message's text as
readable ``key: value`` lines, unless they are known metadata (:data:`SKIP`:
ids, times, kinds, model names, flags, keys ending in ``_id``; under ``data``,
``format``, ``detail`` and the like only machine data), already in the
message's text, or, in metadata, a machine label (one lowercase word of
letters, digits and ``_.:-``, such as ``absolute`` or ``gpt-4o``, but not a
handle such as ``john.smith``; see :mod:`reviewer.ingest.common`). Metadata
that echoes text stored elsewhere (:data:`REPEATS`: the profile in
``user_context_message_data``, a code run's ``aggregate_result`` and
``jupyter_messages``, a citation's ``alt`` and ``matched_text``, the search
status strings, a plugin's ``kwargs``, a browsing ``command`` or ``source``)
is left out only where the conversation's title, its messages stored so far
or this message already hold that text, compared after whitespace
normalisation (a markdown link by its label and address); otherwise it is
kept like any other leftover. A conversation's own unknown keys likewise
become a last message, role ``system``, visibility ``system``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from reviewer.domain.models import Branch, Conversation, Message, Visibility
from reviewer.ingest import common
from reviewer.ingest.common import Builder, Where
from reviewer.ingest.errors import record
from reviewer.ingest.guard import InputStream
from reviewer.ingest.jsonstream import array_items

FIELDS: dict[str, tuple[str, ...]] = {
    "code": ("text",),
    "execution_output": ("text",),
    "system_error": ("name", "text"),
    "tether_quote": ("title", "url", "text"),
    "tether_browsing_display": ("result", "summary"),
    "user_editable_context": ("user_profile", "user_instructions"),
    "model_editable_context": ("model_set_context", "repository", "repo_summary"),
    "reasoning_recap": ("content",),
    "sonic_webpage": ("title", "url", "text"),
}
# Message metadata that holds web-search results and cited sources.
SEARCH_KEYS = ("search_result_groups", "content_references", "citations", "search_queries",
               "_cite_metadata")
REFERENCE_LISTS = ("items", "fallback_items", "supporting_websites", "sources", "images")
RESULT_FIELDS = ("title", "url", "snippet", "text")
SYSTEM_CONTENT = {"user_editable_context", "model_editable_context"}
HIDDEN_CONTENT = {"thoughts", "reasoning_recap"}
POINTER_SCHEMES = ("file-service://", "sediment://")
EMPTY: Mapping[str, Any] = {}
_LINK = re.compile(r"\[([^\]]*)\]\(([^)\s]*)\)")  # a markdown link: [label](address)

# Keys whose values are read above, or are metadata of the conversation as a whole.
CONVERSATION_KEYS = frozenset({
    "mapping", "current_node", "title", "id", "conversation_id", "create_time", "update_time",
    "moderation_results", "plugin_ids", "conversation_template_id", "gizmo_id", "gizmo_type",
    "is_archived", "is_starred", "safe_urls", "blocked_urls", "default_model_slug",
    "conversation_origin", "voice", "async_status", "disabled_tool_ids", "is_do_not_remember",
    "memory_scope", "sugar_item_id", "sugar_item_visible", "is_study_mode", "pinned_time",
})
NODE_KEYS = frozenset({"id", "message", "parent", "children"})
MESSAGE_KEYS = frozenset({"id", "author", "create_time", "update_time", "content", "status",
                          "end_turn", "weight", "metadata", "recipient", "channel"})
AUTHOR_KEYS = frozenset({"role", "name", "metadata"})
PART_KEYS = frozenset({"text", "content_type", "asset_pointer"})
CONTENT_KEYS = frozenset({"content_type", "parts"})  # the rest is read or checked against the text
EMPTY_KEYS: frozenset[str] = frozenset()
_HOLDERS = (str, dict, list)
_ID_ENDS = common.ID_ENDS
# Metadata wherever it sits: ids, times, kinds, model and feature names, flags,
# addresses of thumbnails.
SKIP = common.LOOSE_METADATA | {
    "content_type", "role", "status", "recipient", "channel", "model_slug",
    "default_model_slug", "requested_model_slug", "timestamp_", "message_type",
    "message_source", "finish_details", "mime_type", "language", "response_format_name",
    "asset_pointer", "domain", "attribution", "attributions",
    "memory_scope", "textdoc_type", "create_source", "ref_type", "citation_format_type",
    "citation_format", "pub_date", "style",
    "real_author", "reasoning_status", "search_source", "client_reported_search_source",
    "pad", "voice", "sonic_classification_result", "serialization_metadata",
    "paragen_variants_info", "invoked_plugin", "system_hints",
    "model_switcher_deny", "exclusive_key",
    "gizmo_type", "thumbnail_url", "content_url", "serialization_title",
    "message_locale", "locale",
    # Flags and ids most messages carry, named so that the check for leftovers skips them.
    "request_id", "parent_id", "turn_exchange_id", "is_complete", "dictation", "can_save",
    "is_visually_hidden_from_conversation", "is_user_system_message", "rebase_system_message",
    "rebase_developer_message", "developer_mode_connector_ids", "finished_duration_sec",
    "search_turns_count", "is_contextual_answers_system_message", "retrieval_turn_number",
    "retrieval_file_index",
    # An app's (connector's) names, addresses and status lines.
    "resource_uri", "resource_name", "tool_invoked_message", "tool_invoking_message",
    "html_asset_pointer", "resolved_pineapple_uri", "websocket_url", "connector_type",
}
# Metadata that echoes text stored elsewhere (the profile, the result a code run
# reports, a citation as the text shows it, the query as the app displays it):
# its text is kept unless the conversation already holds it (see _Stored).
REPEATS = frozenset({
    "alt", "matched_text", "search_display_string", "searched_display_string",
    "evidence_text", "about_user_message", "about_model_message", "kwargs", "command",
    "source", "aggregate_result", "jupyter_messages",
})


def conversations(stream: InputStream) -> Iterator[Conversation]:
    for index, item in array_items(stream):
        yield parse_conversation(item, Where(stream.name, record(index)), index)


def parse_conversation(item: Any, where: Where, index: int) -> Conversation:
    conv = common.mapping(item, where, "the record")
    if "mapping" not in conv:
        raise where.error('it has no "mapping" tree, so it is not a ChatGPT conversation')
    nodes = common.mapping(conv["mapping"] or {}, where, "mapping")
    builder = Builder()
    title = common.optional_text(conv.get("title"), where, "title")
    stored = _Stored(builder, title or "")
    active = active_path(nodes, conv.get("current_node"))
    for node_id in active:
        _add_node(builder, nodes[node_id], Branch.ACTIVE, where, stored)
    if len(active) < len(nodes):  # else every node is on the active branch
        chosen = set(active)
        for node_id in tree_order(nodes):
            if node_id not in chosen:
                _add_node(builder, nodes[node_id], Branch.ALTERNATE, where, stored)
    if not CONVERSATION_KEYS.issuperset(conv.keys()):
        builder.add("system", _extra(conv, CONVERSATION_KEYS, where, "the conversation",
                                     stored.check(""), label=True),
                    visibility=Visibility.SYSTEM)
    source_id = (common.ident(conv.get("id"), where, "id")
                 or common.ident(conv.get("conversation_id"), where, "conversation_id")
                 or f"{where.file}:{index}")
    return builder.build(
        source_id, title,
        created_at=common.timestamp(conv.get("create_time"), where, "create_time"),
        updated_at=common.timestamp(conv.get("update_time"), where, "update_time"),
    )


def _node(nodes: Mapping[str, Any], node_id: Any) -> Mapping[str, Any]:
    node = nodes.get(node_id) if isinstance(node_id, str) else None
    return node if isinstance(node, dict) else {}


def active_path(nodes: Mapping[str, Any], current: Any) -> list[str]:
    """Node ids from the root down to ``current`` (or the newest leaf), cycle-safe."""
    if not isinstance(current, str) or current not in nodes:
        current = newest_leaf(nodes)
    path: list[str] = []
    seen: set[str] = set()
    while isinstance(current, str) and current in nodes and current not in seen:
        seen.add(current)
        path.append(current)
        current = _node(nodes, current).get("parent")
    path.reverse()
    return path


def _children(node: Mapping[str, Any]) -> list[Any]:
    children = node.get("children")
    return children if isinstance(children, list) else []


def newest_leaf(nodes: Mapping[str, Any]) -> str | None:
    """The leaf whose message is newest (later in the file wins ties)."""
    best, best_time = None, float("-inf")
    for node_id, node in nodes.items():
        if not isinstance(node, dict) or any(c in nodes for c in _children(node)):
            continue
        message = node.get("message")
        moment = message.get("create_time") if isinstance(message, dict) else None
        value = float(moment) if isinstance(moment, int | float) else float("-inf")
        if best is None or value >= best_time:
            best, best_time = node_id, value
    return best


def _is_root(nodes: Mapping[str, Any], node: Any) -> bool:
    """True unless the node's parent is a non-empty node object of this mapping."""
    parent = node.get("parent") if isinstance(node, dict) else None
    above = nodes.get(parent) if isinstance(parent, str) else None
    return not (isinstance(above, dict) and above)


def tree_order(nodes: Mapping[str, Any]) -> list[str]:
    """Every node once: depth-first from each root, then the unreached ones."""
    order: list[str] = []
    seen: set[str] = set()
    roots = [k for k, n in nodes.items() if _is_root(nodes, n)]
    for start in [*roots, *nodes.keys()]:
        if start in seen:
            continue
        stack = [start]
        while stack:
            node_id = stack.pop()
            if not isinstance(node_id, str) or node_id in seen or node_id not in nodes:
                continue
            seen.add(node_id)
            order.append(node_id)
            children = _children(_node(nodes, node_id))
            if children:
                stack.extend(reversed(children))
    return order


class _Stored:
    """Whether a text is already stored in the conversation: in its title, in
    the messages added so far, or in the text ``check`` is given (the message
    being built), compared after whitespace normalisation; a markdown link
    (a citation's ``alt``: ``([Site](https://…))``) is stored when its label
    and its address are. Messages are normalised once, when first needed, and
    searched newest first (a repeat is most often of the message just before)."""

    def __init__(self, builder: Builder, title: str) -> None:
        self.builder = builder
        self.texts = [common.normal(title)]

    def check(self, seen: str) -> Callable[[str], bool]:
        own: list[str] = []

        def stored(value: str) -> bool:
            if not own:
                own.append(common.normal(seen))
            return all(piece in own[0] or self.holds(piece) for piece in _pieces(value))
        return stored

    def holds(self, wanted: str) -> bool:
        messages = self.builder.messages
        self.texts.extend(common.normal(m.text) for m in messages[len(self.texts) - 1:])
        return any(wanted in t for t in reversed(self.texts))


def _pieces(value: str) -> list[str]:
    """The normalised text of ``value``; of markdown links, each label and address
    apart, and the words around them."""
    if "](" not in value:
        return [common.normal(value)]
    pieces = (common.normal(p) for p in _LINK.split(value))
    return [p for p in pieces if any(c.isalnum() for c in p)]


def _add_node(builder: Builder, node: Any, branch: Branch, where: Where,
              stored: _Stored) -> None:
    message = node.get("message") if isinstance(node, dict) else None
    if message is None:
        if isinstance(node, dict) and not NODE_KEYS.issuperset(node.keys()):
            builder.add("system", _extra(node, NODE_KEYS, where, "a node", stored.check("")),
                        branch=branch, visibility=Visibility.HIDDEN)
        return
    if not isinstance(message, dict):
        common.mapping(message, where, "a message")
    content = message.get("content")
    content = content if isinstance(content, dict) else EMPTY
    metadata = message.get("metadata")
    body, placeholders = content_text(content, metadata, where)
    results = search_text(metadata, where) if isinstance(metadata, dict) and metadata and \
        not metadata.keys().isdisjoint(SEARCH_KEYS) else ""
    extra = _leftovers(node, message, content, metadata, body, results, where, stored)
    if not body and not placeholders and not results and not extra:
        return  # nothing to review
    author = message.get("author")
    author = author if isinstance(author, dict) else EMPTY
    role = common.text(author.get("role") or "unknown", where, "author role")
    name = common.optional_text(author.get("name"), where, "author name")
    created_at = common.timestamp(message.get("create_time"), where, "create_time")
    message_id = common.ident(message.get("id"), where, "message id")
    if body or placeholders or extra:
        content_type = common.text(content.get("content_type") or "text", where, "content_type")
        if content_type == "code" and _sends_json(message):
            body = common.arguments(body, where, "tool input")
        body = common.lines(body, extra)
        builder.append(Message(
            len(builder.messages), role, body, name, created_at, branch,
            visibility(role, message, content, metadata), content_type, message_id,
            placeholders,
        ))
    if results:
        builder.append(Message(len(builder.messages), role, results, name, created_at, branch,
                               Visibility.TOOL, "search_results", message_id))


def _extra(record: Mapping[str, Any], known: frozenset[str], where: Where, what: str,
           stored: Callable[[str], bool], seen: str = "", *, label: bool = False) -> str:
    return common.extra_text(record, known, where, what, SKIP, seen, labels=label,
                             repeats=REPEATS, stored=stored)


def _leftovers(node: Mapping[str, Any], message: Mapping[str, Any],
               content: Mapping[str, Any], metadata: Any, body: str, results: str,
               where: Where, stored: _Stored) -> str:
    """Free text of the node, message, author, content and metadata that the
    message's text (``body`` and ``results``) does not already hold, as readable
    lines. Cheap set tests first: most messages have nothing left over."""
    found: list[tuple[Mapping[str, Any], frozenset[str], str, bool]] = []
    if not NODE_KEYS.issuperset(node.keys()):
        found.append((node, NODE_KEYS, "a node", False))
    if not MESSAGE_KEYS.issuperset(message.keys()):
        found.append((message, MESSAGE_KEYS, "a message", False))
    author = message.get("author")
    if isinstance(author, dict) and (not AUTHOR_KEYS.issuperset(author.keys())
                                     or author.get("metadata")):
        found.append((author, AUTHOR_KEYS - {"metadata"}, "the author", True))
    if not CONTENT_KEYS.issuperset(content.keys()):
        found.append((content, CONTENT_KEYS, "the content", False))
    parts = content.get("parts")
    if isinstance(parts, list):
        found.extend((part, PART_KEYS, "a content part", True) for part in parts
                     if isinstance(part, dict) and not PART_KEYS.issuperset(part.keys()))
    if isinstance(metadata, dict) and metadata:
        rest = {k: v for k, v in metadata.items() if v and type(v) in _HOLDERS
                and (k not in SKIP or k in common.DATA_KEYS) and not k.endswith(_ID_ENDS)}
        if rest:
            found.append((rest, EMPTY_KEYS, "the metadata", True))
    elif isinstance(metadata, str | list) and metadata:  # not the object the format has
        found.append(({"metadata": metadata}, EMPTY_KEYS, "the metadata", False))
    if not found:
        return ""
    seen = f"{body}\n{results}"
    check = stored.check(seen)
    pieces = (_extra(record, known, where, what, check, seen, label=label)
              for record, known, what, label in found)
    return common.lines(*pieces)


def _sends_json(message: Mapping[str, Any]) -> bool:
    """True for code addressed to a tool that takes JSON (canvas, web search), not
    to the Python tool, whose code is kept as written."""
    recipient = message.get("recipient")
    return isinstance(recipient, str) and recipient not in ("all", "python")


def search_text(metadata: Mapping[str, Any], where: Where) -> str:
    """Web-search results and cited sources kept in a message's metadata: each
    result's title, address and snippet on lines of their own, results apart
    by a blank line, each result once; then the search queries."""
    results: list[tuple[str, ...]] = []
    for group in common.array(metadata.get("search_result_groups"), where,
                              "search_result_groups"):
        for entry in common.array(common.obj(group).get("entries"), where, "entries"):
            _result(entry, results)
    for reference in common.array(metadata.get("content_references"), where,
                                  "content_references"):
        _reference(common.obj(reference), results, where)
    for citation in common.array(metadata.get("citations"), where, "citations"):
        _result(common.obj(citation).get("metadata"), results)
    cited = common.obj(metadata.get("_cite_metadata"))  # 2023 browsing
    for item in common.array(cited.get("metadata_list"), where, "metadata_list"):
        _result(item, results)
    queries = _queries(metadata, cited, where)
    if queries:
        results.append(queries)
    unique = dict.fromkeys(results)
    return common.text("\n\n".join("\n".join(r) for r in unique), where, "search results")


def _queries(metadata: Mapping[str, Any], cited: Mapping[str, Any],
             where: Where) -> tuple[str, ...]:
    found = [common.obj(query).get("q") for query in common.array(
        metadata.get("search_queries"), where, "search_queries")]
    found.append(cited.get("original_query"))
    return tuple(q for q in found if isinstance(q, str) and q)


def _reference(reference: Mapping[str, Any], results: list[tuple[str, ...]],
               where: Where) -> None:
    """One content reference: a cited page itself, or groups of them."""
    _result(reference, results)
    for key in REFERENCE_LISTS:
        for item in common.array(reference.get(key), where, key):
            _result(item, results)
            for site in common.array(common.obj(item).get("supporting_websites"), where,
                                     "supporting_websites"):
                _result(site, results)


def _result(item: Any, results: list[tuple[str, ...]]) -> None:
    if isinstance(item, dict):
        found = tuple(v for k in RESULT_FIELDS if isinstance(v := item.get(k), str) and v)
        if found:
            results.append(found)


def visibility(role: str, message: Mapping[str, Any], content: Mapping[str, Any],
               metadata: Any) -> Visibility:
    meta = metadata if isinstance(metadata, dict) else EMPTY
    ctype = content.get("content_type")
    ctype = ctype if isinstance(ctype, str) else None
    if role == "system" or meta.get("is_user_system_message") or ctype in SYSTEM_CONTENT:
        return Visibility.SYSTEM
    if role == "tool" or message.get("recipient") not in (None, "all"):
        return Visibility.TOOL
    if meta.get("is_visually_hidden_from_conversation") or ctype in HIDDEN_CONTENT:
        return Visibility.HIDDEN
    return Visibility.VISIBLE


def content_text(content: Mapping[str, Any], metadata: Any, where: Where) -> tuple[str, int]:
    """The message's reviewable text and how many placeholders stand in it.

    Pieces are collected unchecked and the joined text is checked once (a NUL or
    an unpaired surrogate in any piece is one in the whole): one check per message.
    """
    ctype = content.get("content_type")
    pieces: list[str] = []
    seen_ids: dict[str, int] = {}  # pointer -> index of its placeholder in pieces
    placeholders = 0
    if "parts" in content:
        placeholders += _parts(common.array(content["parts"], where, "parts"), pieces, seen_ids)
    if ctype == "thoughts":
        for thought in common.array(content.get("thoughts"), where, "thoughts"):
            if isinstance(thought, dict):
                _fields(thought, ("summary", "content"), pieces)
    elif isinstance(ctype, str) and ctype in FIELDS:
        _fields(content, FIELDS[ctype], pieces)
    elif "parts" not in content:
        _fields(content, tuple(k for k in content if k != "content_type"), pieces)
    if isinstance(metadata, dict) and metadata.get("attachments") is not None:
        placeholders += _attachments(metadata, pieces, seen_ids, where)
    body = pieces[0] if len(pieces) == 1 else "\n".join(pieces)
    return common.text(body, where, "message text"), placeholders


def _fields(source: Mapping[str, Any], keys: tuple[str, ...], pieces: list[str]) -> None:
    for key in keys:
        value = source.get(key)
        if isinstance(value, str) and value:
            pieces.append(value)


def _parts(parts: list[Any], pieces: list[str], seen_ids: dict[str, int]) -> int:
    count = 0
    for part in parts:
        if isinstance(part, str):
            if part:
                pieces.append(part)
        elif isinstance(part, dict):
            count += _pointer_part(part, pieces, seen_ids)
    return count


def _pointer_part(part: Mapping[str, Any], pieces: list[str], seen_ids: dict[str, int]) -> int:
    """A non-text part: its text if it has one, else a counted placeholder."""
    if isinstance(part.get("text"), str):
        if part["text"]:
            pieces.append(part["text"])
        return 0
    ctype = str(part.get("content_type") or "attachment")
    kind = "image" if "image" in ctype else "audio" if "audio" in ctype else \
        "video" if "video" in ctype else "file"
    pointer = str(part.get("asset_pointer") or ctype)
    for scheme in POINTER_SCHEMES:
        pointer = pointer.removeprefix(scheme)
    seen_ids[pointer] = len(pieces)
    pieces.append(f"[{kind}: {pointer}]")
    return 1


def _attachments(metadata: Mapping[str, Any], pieces: list[str], seen_ids: dict[str, int],
                 where: Where) -> int:
    """Uploaded files' names are reviewable: added to the placeholder of a file
    already shown as a pointer (``[image: file-abc letter.png]``), else a
    placeholder of their own."""
    count = 0
    for item in common.array(metadata.get("attachments"), where, "attachments"):
        if not isinstance(item, dict):
            continue
        name = item.get("name")
        # seen_ids holds text only; an unhashable id must not reach the lookup.
        shown = seen_ids.get(item["id"]) if isinstance(item.get("id"), str) else None
        if shown is not None:
            if isinstance(name, str) and name and name != item["id"]:
                pieces[shown] = f"{pieces[shown][:-1]} {name}]"
            continue
        pieces.append(f"[file: {name or item.get('id') or 'attachment'}]")
        count += 1
    return count
