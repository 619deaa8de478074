"""The first module the workers' forkserver imports (``lifeline``'s preloads), and
only it: from here on the server ignores Ctrl+C, which is the analysing process's
to handle. Python's forkserver ignores it by itself only once all its imports are
done (spaCy, Presidio, ONNX Runtime: a second or more, now that ``analyze`` starts
it at once), and a Ctrl+C during them printed the server's traceback. The workers
it forks inherit the ignored signal: they end when the analysing process ends or
stops them."""

import signal

signal.signal(signal.SIGINT, signal.SIG_IGN)
