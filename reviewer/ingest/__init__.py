"""Reading conversation exports into domain objects.

One module per format (``chatgpt``, ``openai``, ``claude``, ``sharegpt``,
``csvfile``), each a generator of :class:`reviewer.domain.models.Conversation`
that reads its input as a stream. ``reader.open_source`` is the front door:
it opens a file or an export ZIP (``container``), detects each entry's format
from its content (``detect``), and guards every byte against hostile input
(``guard``). Every problem with an input is an
:class:`reviewer.ingest.errors.InputError` (exit 3) naming the file, the
record or line, and the reason. Nothing here touches the store.
"""
