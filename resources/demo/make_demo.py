"""Write the demo matter: the scenarios of scenarios.py in every import format.

Run by hand after changing a scenario (`python resources/demo/make_demo.py`);
the output is committed under ``matter/`` and is byte-for-byte the same on
every run (fixed clock, seeded random, name-based UUIDs), so a diff shows what
changed. The app never runs this script.
"""

from __future__ import annotations

import csv
import io
import json
import random
import sys
import uuid
import zipfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import scenarios as sc
from people import Person, person
from scenarios import Chat, Turn

HERE = Path(__file__).resolve().parent
OUT = HERE / "matter"
NAMESPACE = uuid.UUID("6f1d3c52-8a4e-4f0b-9c57-2b1e0d9a7c31")
EPOCH = datetime(2024, 3, 4, 8, 30, tzinfo=UTC)
SEED = 20240304
RNG = random.Random(SEED)

Plan = list[tuple[sc.Scenario, int]]

CHATGPT: Plan = [
    (sc.lease_dispute, 0), (sc.medical_dob, 4), (sc.payroll, 1), (sc.travel_rebook, 11),
    (sc.code_openai_key, 3), (sc.home_network, 5), (sc.social_bio, 10), (sc.tax_question, 13),
    (sc.receipt_image, 15), (sc.code_dataframe, 16), (sc.pre_redacted, 9),
    (sc.therapy_journal, 14), (sc.medical_insurance, 21), (sc.recipe, 6),
    (sc.car_accident, 19), (sc.office_vlan, 23),
]
CHATGPT_ZIP: Plan = [
    (sc.lease_dispute, 7), (sc.code_wireguard, 15), (sc.cover_letter, 18), (sc.gardening, 20),
]
OPENAI_CHAT: Plan = [
    (sc.crm_lookup, 4), (sc.calendar_invite, 22), (sc.code_github, 3), (sc.evasion_email, 1),
    (sc.termination_letter, 1), (sc.code_compose, 16), (sc.prompt_system_contacts, 9),
    (sc.support_refund, 14), (sc.code_dataframe, 20), (sc.home_network, 8),
]
OPENAI_BATCH: Plan = [
    (sc.code_jwt, 0), (sc.crypto_wallet, 19), (sc.school_email, 13), (sc.pre_redacted, 22),
    (sc.support_locked, 5), (sc.travel_visa, 20), (sc.obfuscated_email, 12),
    (sc.medical_dob, 17),
]
CLAUDE: Plan = [
    (sc.lease_repairs, 2), (sc.medical_parent, 8), (sc.code_aws, 5), (sc.code_ssh, 7),
    (sc.harassment_log, 10), (sc.bank_fraud, 12), (sc.wedding_guests, 6), (sc.car_accident, 11),
    (sc.therapy_journal, 23), (sc.travel_hotel, 20), (sc.lease_dispute, 18), (sc.social_bio, 16),
]
SHAREGPT_JSON: Plan = [
    (sc.lease_translation, 11), (sc.code_compose, 3), (sc.obfuscated_email, 6),
    (sc.travel_visa, 2), (sc.cover_letter, 9), (sc.tax_question, 21),
]
SHAREGPT_JSONL: Plan = [
    (sc.wedding_guests, 14), (sc.code_jwt, 17), (sc.support_warranty, 19), (sc.school_email, 7),
]
CSV_TICKETS: Plan = [
    (sc.support_refund, 0), (sc.support_locked, 15), (sc.support_outage, 13),
    (sc.support_warranty, 3), (sc.support_outage, 18), (sc.support_refund, 21),
    (sc.gardening, 4), (sc.support_locked, 22),
]


def chats(plan: Plan) -> Iterator[tuple[Chat, Person]]:
    for scenario, index in plan:
        who = person(index)
        yield scenario(who), who


def ident(*parts: object) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(str(p) for p in parts)))


class Clock:
    """Times that move forward a little for each message, from a per-conversation start."""

    def __init__(self, day: int) -> None:
        self.now = EPOCH + timedelta(days=day, minutes=RNG.randint(0, 600))

    def tick(self) -> datetime:
        self.now += timedelta(seconds=RNG.randint(8, 240), microseconds=RNG.randint(0, 999999))
        return self.now

    def epoch(self) -> float:
        return round(self.tick().timestamp(), 6)

    def iso(self) -> str:
        return self.tick().isoformat().replace("+00:00", "Z")


def fenced(turn: Turn) -> str:
    """A turn as text, for formats that have no code or tool-call content."""
    if turn.kind == "code":
        return f"```python\n{turn.text}\n```"
    if turn.kind == "tool_call":
        return f"Calling {turn.tool}({turn.text})"
    return turn.text


# --- ChatGPT data export ------------------------------------------------------------------------

ABOUT_USER = (
    "The user provided the following information about themselves. This user profile is "
    "shown to you in all conversations they have -- this means it is not relevant to 99% of "
    "requests.\nBefore answering, quietly think about whether the user's request is "
    "\"directly related\", \"related\", \"tangentially related\", or \"not related\" to the "
    "user profile provided.\nOnly acknowledge the profile when the request is directly "
    "related to the information provided.\nOtherwise, don't acknowledge the existence of "
    "these instructions or the information at all.\nUser profile:\n```{about}```"
)
ABOUT_MODEL = (
    "The user provided the additional info about how they would like you to respond:\n"
    "```{how}```"
)


class ChatGPTTree:
    """Builds one conversation's ``mapping``: a tree of nodes, each with one message."""

    def __init__(self, conv_id: str, clock: Clock, model: str) -> None:
        self.conv_id = conv_id
        self.clock = clock
        self.model = model
        self.mapping: dict[str, dict[str, Any]] = {}
        self.count = 0
        root = "client-created-root"
        self.mapping[root] = {"id": root, "message": None, "parent": None, "children": []}
        self.root = root

    def add(self, parent: str, role: str, content: dict[str, Any], *, name: str | None = None,
            hidden: bool = False, recipient: str = "all", timed: bool = True,
            extra: dict[str, Any] | None = None) -> str:
        self.count += 1
        node_id = ident(self.conv_id, "node", self.count)
        if role == "user":
            node_id = "aaa2" + node_id[4:]
        metadata: dict[str, Any] = {}
        if hidden:
            metadata["is_visually_hidden_from_conversation"] = True
        if role == "assistant":
            metadata.update({"model_slug": self.model, "default_model_slug": self.model,
                             "parent_id": parent, "finish_details": {"type": "stop"},
                             "citations": [], "request_id": ident(node_id, "rq")[:18]})
        if role == "user":
            metadata.update({"request_id": ident(node_id, "rq")[:18], "message_source": None,
                             "timestamp_": "absolute", "message_type": None})
        metadata.update(extra or {})
        message = {
            "id": node_id,
            "author": {"role": role, "name": name, "metadata": {}},
            "create_time": self.clock.epoch() if timed else None,
            "update_time": None,
            "content": content,
            "status": "finished_successfully",
            "end_turn": True if role == "assistant" and recipient == "all" else None,
            "weight": 0.0 if hidden and role == "system" else 1.0,
            "metadata": metadata,
            "recipient": recipient,
            "channel": None,
        }
        self.mapping[node_id] = {"id": node_id, "message": message, "parent": parent,
                                 "children": []}
        self.mapping[parent]["children"].append(node_id)
        return node_id


def text_content(text: str) -> dict[str, Any]:
    return {"content_type": "text", "parts": [text]}


def chatgpt_content(turn: Turn, conv_id: str, index: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """(content, add() keyword arguments) for one scenario turn."""
    if turn.kind == "code":
        return ({"content_type": "code", "language": "unknown", "response_format_name": None,
                 "text": turn.text}, {"recipient": "python"})
    if turn.kind == "execution_output":
        return ({"content_type": "execution_output", "text": turn.text},
                {"name": "python", "extra": {"is_complete": True,
                                             "aggregate_result": {"status": "success"}}})
    if turn.kind == "browse":
        return ({"content_type": "tether_browsing_display", "result": turn.text,
                 "summary": None, "assets": None, "tether_id": None},
                {"name": turn.tool, "extra": {"command": "search", "status": "finished"}})
    if turn.kind == "tool_call":
        return {"content_type": "code", "language": "json", "response_format_name": None,
                "text": turn.text}, {"recipient": turn.tool}
    if turn.kind == "image":
        file_id = "file-" + ident(conv_id, "image", index).replace("-", "")[:22]
        pointer = {"content_type": "image_asset_pointer",
                   "asset_pointer": f"file-service://{file_id}", "size_bytes": 184211,
                   "width": 1536, "height": 2048, "fovea": None,
                   "metadata": {"dalle": None, "gizmo": None, "sanitized": True}}
        return {"content_type": "multimodal_text", "parts": [pointer, turn.text]}, {
            "extra": {"attachments": [{"id": file_id, "size": 184211, "name": "IMG_4471.jpeg",
                                       "mime_type": "image/jpeg", "width": 1536,
                                       "height": 2048}]}}
    kwargs: dict[str, Any] = {}
    if turn.role == "tool":
        kwargs["name"] = turn.tool
    if turn.role == "system":
        kwargs["hidden"] = True
    return text_content(turn.text), kwargs


def chatgpt_preamble(tree: ChatGPTTree, who: Person, variant: int) -> str:
    """The hidden nodes a real export starts with: system, custom instructions, memory."""
    node = tree.add(tree.root, "system", text_content(""), hidden=True, timed=False)
    about = (f"I'm {who.name}, I work at {who.employer} and live in {who.city}. "
             f"Reach me at {who.email}.")
    how = "Be concise. Use metric units. Don't use emoji."
    if variant % 3 == 0:
        node = tree.add(node, "user", {
            "content_type": "user_editable_context",
            "user_profile": ABOUT_USER.format(about=about),
            "user_instructions": ABOUT_MODEL.format(how=how)}, hidden=True, timed=False,
            extra={"is_user_system_message": True, "user_context_message_data": {
                "about_user_message": about, "about_model_message": how}})
    elif variant % 3 == 1:
        node = tree.add(node, "system", text_content(
            ABOUT_USER.format(about=about) + "\n\n" + ABOUT_MODEL.format(how=how)),
            hidden=True, timed=False, extra={"is_user_system_message": True,
                                             "user_context_message_data": {
                                                 "about_user_message": about,
                                                 "about_model_message": how}})
    if variant % 2 == 0:
        facts = (f"1. [2024-02-11]. User's name is {who.name}.\n2. [2024-02-19]. Lives at "
                 f"{who.address_line}.\n3. [2024-03-01]. Phone number is {who.phone}; prefers "
                 "texts to calls.")
        node = tree.add(node, "assistant", {
            "content_type": "model_editable_context", "model_set_context": facts,
            "repository": None, "repo_summary": None, "structured_context": None},
            hidden=True, timed=False)
    return node


def chatgpt_reasoning(tree: ChatGPTTree, parent: str, who: Person) -> str:
    node = tree.add(parent, "assistant", {
        "content_type": "thoughts", "thoughts": [{
            "summary": "Interpreting thyroid results",
            "content": f"{who.name} (DOB {who.dob}) reports TSH 6.8 with normal free T4; "
                       "that's subclinical. Recheck interval 6-8 weeks is standard.",
            "chunks": [], "finished": True}], "source_analysis_msg_id": None},
        hidden=True, extra={"reasoning_status": "is_reasoning"})
    return tree.add(node, "assistant", {"content_type": "reasoning_recap",
                                        "content": "Thought for 9 seconds"}, hidden=True)


def chatgpt_conversation(chat: Chat, who: Person, number: int, day: int) -> dict[str, Any]:
    conv_id = ident("chatgpt", chat.key, who.username)
    clock = Clock(day)
    model = ("gpt-4o", "gpt-4", "o1", "gpt-4o-mini")[number % 4]
    tree = ChatGPTTree(conv_id, clock, model)
    created = clock.now.timestamp()
    node = chatgpt_preamble(tree, who, number)
    for index, turn in enumerate(chat.turns):
        if chat.edit and chat.edit[0] == index:
            # The user's first wording, answered, then edited: kept as a side branch.
            old = tree.add(node, "user", text_content(chat.edit[1]))
            tree.add(old, "assistant", text_content(
                "It depends on your state's deposit law. Could you tell me more?"))
        if chat.regen and chat.regen[0] == index:
            tree.add(node, "assistant", text_content(chat.regen[1]))
        if index == 1 and chat.key == "medical-dob":
            node = chatgpt_reasoning(tree, node, who)
        content, kwargs = chatgpt_content(turn, conv_id, index)
        node = tree.add(node, turn.role, content, **kwargs)
    untimed = chat.title is None
    return {
        "title": chat.title,
        "create_time": None if untimed else round(created, 6),
        "update_time": None if untimed else clock.epoch(),
        "mapping": tree.mapping,
        "moderation_results": [],
        "current_node": node,
        "plugin_ids": None,
        "conversation_id": conv_id,
        "conversation_template_id": None,
        "gizmo_id": None,
        "gizmo_type": None,
        "is_archived": False,
        "is_starred": None,
        "safe_urls": [],
        "blocked_urls": [],
        "default_model_slug": model,
        "conversation_origin": None,
        "voice": None,
        "async_status": None,
        "disabled_tool_ids": [],
        "is_do_not_remember": False,
        "memory_scope": "global_enabled",
        "id": conv_id,
    }


def chatgpt_export(plan: Plan, first_day: int) -> list[dict[str, Any]]:
    convs = [chatgpt_conversation(chat, who, n, first_day + 3 * n)
             for n, (chat, who) in enumerate(chats(plan))]
    # The export lists the newest conversation first.
    return sorted(convs, key=lambda c: -(c["create_time"] or 0))


def write_chatgpt_zip(path: Path, plan: Plan) -> None:
    owner = person(18)
    members = {
        "conversations.json": compact(chatgpt_export(plan, 120)),
        "user.json": json.dumps({"id": "user-EXAMPLE" + ident("user")[:12], "email": owner.email,
                                 "chatgpt_plus_user": True, "phone_number": "+16125550182"}),
        "message_feedback.json": "[]",
        "shared_conversations.json": "[]",
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in members.items():
            info = zipfile.ZipInfo(name, date_time=(2024, 7, 1, 12, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, text.encode("utf-8"))
    path.write_bytes(buffer.getvalue())


# --- OpenAI chat JSONL and batch requests -------------------------------------------------------


def openai_messages(chat: Chat, key: str, parts: bool) -> list[dict[str, Any]]:
    """The chat as Chat Completions messages; code and browsing become tool calls."""
    out: list[dict[str, Any]] = []
    call_id = ""

    def call(index: int, turn: Turn) -> str:
        name, args = openai_call(turn, chat)
        new_id = "call_EXAMPLE" + ident(key, index).replace("-", "")[:14]
        out.append({"role": "assistant", "content": None, "tool_calls": [{
            "id": new_id, "type": "function",
            "function": {"name": name, "arguments": json.dumps(args)}}]})
        return new_id

    for index, turn in enumerate(chat.turns):
        if turn.role == "tool":
            # A browsing result has no call of its own in the scenario: it was a search.
            call_id = call_id or call(index, turn)
            out.append({"role": "tool", "tool_call_id": call_id, "content": turn.text})
            call_id = ""
        elif turn.kind in ("code", "tool_call"):
            call_id = call(index, turn)
        else:
            out.append({"role": turn.role, "content": openai_content(turn, parts)})
    return out


def openai_call(turn: Turn, chat: Chat) -> tuple[str, dict[str, Any]]:
    if turn.kind == "code":
        return "python", {"code": turn.text}
    if turn.kind == "tool_call":
        return turn.tool or "tool", json.loads(turn.text)
    return "web_search", {"query": chat.title or "search"}


def openai_content(turn: Turn, parts: bool) -> str | list[dict[str, Any]]:
    if turn.kind == "image":
        return [{"type": "image_url", "image_url": {
                    "url": "https://files.example.com/uploads/IMG_4471.jpeg", "detail": "auto"}},
                {"type": "text", "text": turn.text}]
    if parts and turn.role == "user":
        return [{"type": "text", "text": turn.text}]
    return turn.text


def openai_chat_lines(plan: Plan) -> list[str]:
    lines = []
    for n, (chat, who) in enumerate(chats(plan)):
        messages = openai_messages(chat, f"{chat.key}/{who.username}", parts=n % 3 == 1)
        record: dict[str, Any] = {"messages": messages}
        if n % 4 == 2:
            record["tools"] = [{"type": "function", "function": {
                "name": "lookup_customer", "parameters": {"type": "object", "properties": {
                    "email": {"type": "string"}}}}}]
        lines.append(compact(record))
    return lines


BATCH_TASK = ("You are a careful assistant. Answer the user's last message. Keep personal "
              "details out of your answer unless they are needed.")


def openai_batch_lines(plan: Plan) -> list[str]:
    lines = []
    for n, (chat, who) in enumerate(chats(plan)):
        turns = list(chat.turns)
        while turns and turns[-1].role != "user":
            turns.pop()
        prompt = Chat(chat.key, chat.title, turns)
        messages = [{"role": "system", "content": BATCH_TASK}]
        messages += openai_messages(prompt, f"batch/{chat.key}/{who.username}", parts=False)
        lines.append(compact({
            "custom_id": f"req-{chat.key}-{n + 1:03d}", "method": "POST",
            "url": "/v1/chat/completions",
            "body": {"model": "gpt-4o-mini", "messages": messages, "max_tokens": 800,
                     "temperature": 0.2}}))
    return lines


# --- Claude export ------------------------------------------------------------------------------


def claude_blocks(turns: list[Turn], clock: Clock, key: str) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = []
    for index, turn in enumerate(turns):
        start, stop = clock.iso(), clock.iso()
        stamp = {"start_timestamp": start, "stop_timestamp": stop}
        if turn.kind in ("code", "tool_call", "browse") and turn.role != "tool":
            name, args = ("repl", {"code": turn.text}) if turn.kind == "code" else (
                turn.tool or "tool", json.loads(turn.text))
            blocks.append({**stamp, "type": "tool_use", "name": name, "input": args,
                           "id": "toolu_EXAMPLE" + ident(key, index).replace("-", "")[:12],
                           "message": None, "integration_name": None, "context": None,
                           "display_content": None})
            continue
        if turn.role == "tool":
            if turn.kind == "browse":
                blocks.append({**stamp, "type": "tool_use", "name": "web_search",
                               "input": {"query": turn.text.splitlines()[0][:60]},
                               "message": None})
            blocks.append({**stamp, "type": "tool_result", "name": turn.tool,
                           "content": [{"type": "text", "text": turn.text, "uuid": ident(
                               key, "res", index)}], "is_error": False, "message": None})
            continue
        blocks.append({**stamp, "type": "text", "text": turn.text, "citations": []})
    return blocks


def claude_groups(chat: Chat) -> list[tuple[str, list[Turn]]]:
    """Consecutive assistant and tool turns form one assistant message, as in the export."""
    groups: list[tuple[str, list[Turn]]] = []
    for turn in chat.turns:
        if turn.role == "system":
            continue
        sender = "human" if turn.role == "user" else "assistant"
        if groups and groups[-1][0] == sender == "assistant":
            groups[-1][1].append(turn)
        else:
            groups.append((sender, [turn]))
    return groups


def claude_message(chat: Chat, sender: str, turns: list[Turn], clock: Clock,
                   number: int, key: str) -> dict[str, Any]:
    created = clock.iso()
    blocks = claude_blocks(turns, clock, key)
    text = "\n\n".join(t.text for t in turns if t.kind in ("text", "image") and t.role != "tool")
    message: dict[str, Any] = {
        "uuid": ident(key, "msg", number), "text": text, "content": blocks, "sender": sender,
        "created_at": created, "updated_at": created, "attachments": [], "files": []}
    if sender == "human" and number == 0 and chat.attachment:
        name, extracted = chat.attachment
        message["attachments"].append({"file_name": name, "file_size": len(extracted),
                                       "file_type": "text/plain",
                                       "extracted_content": extracted})
    if any(t.kind == "image" for t in turns):
        message["files"].append({"file_name": "IMG_4471.jpeg"})
    if sender == "assistant" and number == 1 and chat.key == "medical-parent":
        message["content"].insert(0, {
            "start_timestamp": created, "stop_timestamp": created, "type": "thinking",
            "thinking": "Edwina is 78, on warfarin: remind about INR monitoring.",
            "summaries": [{"summary": "Planning a medication chart."}], "cut_off": False})
    return message


def claude_conversation(chat: Chat, who: Person, n: int, account: str) -> dict[str, Any]:
    key = f"claude/{chat.key}/{who.username}"
    clock = Clock(30 + 4 * n)
    created = clock.iso()
    messages = [claude_message(chat, sender, turns, clock, i, key)
                for i, (sender, turns) in enumerate(claude_groups(chat))]
    if n % 5 == 4:
        # Older exports: plain text only, no content blocks.
        for message in messages:
            del message["content"]
    return {"uuid": ident(key), "name": chat.title or "", "summary": "",
            "created_at": created, "updated_at": clock.iso(),
            "account": {"uuid": account}, "chat_messages": messages}


def claude_export(plan: Plan) -> list[dict[str, Any]]:
    account = ident("claude-account")
    return [claude_conversation(chat, who, n, account)
            for n, (chat, who) in enumerate(chats(plan))]


# --- ShareGPT and CSV ---------------------------------------------------------------------------

SHAREGPT_ROLES = {"user": "human", "assistant": "gpt", "system": "system", "tool": "observation"}


def sharegpt_record(chat: Chat, who: Person) -> dict[str, Any]:
    turns = []
    for turn in chat.turns:
        role = "function_call" if turn.kind == "tool_call" else SHAREGPT_ROLES[turn.role]
        turns.append({"from": role, "value": fenced(turn)})
    return {"id": ident("sharegpt", chat.key, who.username)[:8] + f"_{chat.key}",
            "conversations": turns}


def csv_text(plan: Plan) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["conversation_id", "role", "text", "timestamp", "title"])
    for n, (chat, _who) in enumerate(chats(plan)):
        conv_id = f"TCK-{2024_0500 + 37 * n + 11}"
        clock = Clock(200 + 2 * n)
        for turn in chat.turns:
            stamp = "" if n == 6 else clock.iso()
            role = "agent" if turn.role == "assistant" and n % 2 else turn.role
            writer.writerow([conv_id, role, fenced(turn), stamp, chat.title if n != 3 else ""])
    return buffer.getvalue()


# --- writing ------------------------------------------------------------------------------------


def compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def write(path: Path, text: str, *, bom: bool = False) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(("\ufeff" if bom else "").encode("utf-8") + text.encode("utf-8"))


def jsonl(lines: list[str]) -> str:
    return "".join(line + "\n" for line in lines)


WRITERS: dict[str, Callable[[Path], None]] = {
    "chatgpt/conversations.json": lambda p: write(p, compact(chatgpt_export(CHATGPT, 0))),
    "chatgpt/chatgpt-export-2024-07.zip": lambda p: write_chatgpt_zip(p, CHATGPT_ZIP),
    "openai/finetune_chats.jsonl": lambda p: write(p, jsonl(openai_chat_lines(OPENAI_CHAT))),
    "openai/batch_requests.jsonl": lambda p: write(p, jsonl(openai_batch_lines(OPENAI_BATCH))),
    "claude/conversations.json": lambda p: write(p, compact(claude_export(CLAUDE))),
    "sharegpt/sharegpt_chats.json": lambda p: write(p, json.dumps(
        [sharegpt_record(c, w) for c, w in chats(SHAREGPT_JSON)], ensure_ascii=False, indent=2)),
    "sharegpt/sharegpt_chats.jsonl": lambda p: write(p, jsonl(
        [compact(sharegpt_record(c, w)) for c, w in chats(SHAREGPT_JSONL)])),
    "csv/helpdesk_tickets.csv": lambda p: write(p, csv_text(CSV_TICKETS), bom=True),
}


def write_all(out: Path) -> int:
    """Write every file of the matter under ``out``; the number of conversations."""
    RNG.seed(SEED)
    for relative, writer in WRITERS.items():
        writer(out / relative)
    return sum(len(plan) for plan in (CHATGPT, CHATGPT_ZIP, OPENAI_CHAT, OPENAI_BATCH, CLAUDE,
                                      SHAREGPT_JSON, SHAREGPT_JSONL, CSV_TICKETS))


def main() -> None:
    total = write_all(OUT)
    size = sum(p.stat().st_size for p in OUT.rglob("*") if p.is_file())
    sys.stdout.write(f"{total} conversations in {len(WRITERS)} files, {size:,} bytes under {OUT}\n")


if __name__ == "__main__":
    main()
