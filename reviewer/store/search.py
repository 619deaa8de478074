"""The user's search words as a safe FTS5 query (message text and conversation titles).

The user's words are never passed to FTS5 as syntax: :func:`fts_query` turns
them into quoted strings, so ``AND``, ``NEAR``, ``-``, ``:`` or stray quotes
are just words. What the user can ask for:

- words: every one must occur in the same message, or in the title
  (``dana leeds``);
- a phrase in double quotes: the words in that order (``"canal street"``);
- a trailing ``*`` on a word or a phrase: a prefix (``whitf*``, ``"dana wh"*``).

An unbalanced quote runs to the end of the input. Matching ignores case and
diacritics (the tables' ``unicode61 remove_diacritics 2`` tokenizer). The
browser's filtered pages (:mod:`reviewer.store.paging`) use the query.
"""

from __future__ import annotations

import re

_TERM = re.compile(r'"([^"]*)"?(\*?)|([^\s"]+)')


def fts_query(user_text: str) -> str | None:
    """A safe FTS5 query for what the user typed; None when it holds no term."""
    terms = []
    for match in _TERM.finditer(user_text):
        phrase, star, word = match.groups()
        if word is not None:
            body, star = (word[:-1], "*") if word.endswith("*") else (word, "")
        else:
            body = phrase
        body = body.strip("*").strip()
        if body:
            terms.append('"' + body.replace('"', '""') + '"' + star)
    return " ".join(terms) or None
