"""Chat-specific recognizers: secrets, home paths, handles, addresses, context IDs.

Each recognizer is a set of regular expressions for one entity. A rule may
name a group ``value``: only that group becomes the span (``password: hunter2``
suggests ``hunter2``). Presidio runs them next to its own recognizers and
raises their scores with its context words.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from presidio_analyzer import AnalysisExplanation, LocalRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from reviewer.domain.policy import CustomPattern, Policy
from reviewer.suggest.names import GREETINGS


@dataclass(frozen=True)
class Rule:
    """One regular expression; ``check`` may veto a match (checksum, stop word)."""

    name: str
    regex: str
    score: float
    check: Callable[[str], bool] | None = None


class RegexRecognizer(LocalRecognizer):
    """Regular-expression rules for one entity, with a ``value`` group for the span."""

    def __init__(self, name: str, entity: str, rules: Sequence[Rule],
                 context: Sequence[str] = ()) -> None:
        self.rules = tuple(rules)
        self.compiled = [re.compile(rule.regex) for rule in self.rules]
        self.label = name
        super().__init__(supported_entities=[entity], name=name, context=list(context))

    def load(self) -> None:
        """Nothing to load: the expressions are compiled on construction."""

    def analyze(self, text: str, entities: list[str],
                nlp_artifacts: NlpArtifacts | None = None) -> list[RecognizerResult]:
        entity = self.supported_entities[0]
        if entity not in entities:
            return []
        results = []
        for rule, regex in zip(self.rules, self.compiled, strict=True):
            for match in regex.finditer(text):
                start, end = match.span(value_group(match))
                if end <= start or (rule.check is not None and not rule.check(text[start:end])):
                    continue
                results.append(self._result(entity, rule, start, end))
        return results

    def _result(self, entity: str, rule: Rule, start: int, end: int) -> RecognizerResult:
        explanation = AnalysisExplanation(
            recognizer=self.label, original_score=rule.score, pattern_name=rule.name,
            pattern=rule.regex,
        )
        return RecognizerResult(
            entity_type=entity, start=start, end=end, score=rule.score,
            analysis_explanation=explanation,
            recognition_metadata={RecognizerResult.RECOGNIZER_NAME_KEY: self.label,
                                  RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id},
        )


def value_group(match: re.Match[str]) -> str | int:
    """The span of a match: its first group named ``value...`` that matched, else all of it.

    Several value groups let one rule take a quoted value whole and a bare one to
    its first blank (Python's ``re`` allows no repeated group name).
    """
    for name, index in sorted(match.re.groupindex.items(), key=lambda item: item[1]):
        if name.startswith("value") and match.group(index):
            return name
    return 0


@dataclass(frozen=True)
class Cue:
    """Words that announce a name: the candidate words are the group ``value``.

    ``side`` says where the cue stands: "after" (the name follows the cue, so
    it is trimmed from its end) or "before" (the name precedes the cue).
    """

    name: str
    entity: str
    regex: str
    score: float
    side: str = "after"
    capitalised_only: bool = False
    ordinary_capitals: bool = True


class CueRecognizer(RegexRecognizer):
    """Names after (or before) words that announce them: "grew up in X", "X said".

    A candidate word counts as part of a name when it is capitalised, or,
    in lower-case text, when it is not an ordinary English word.
    """

    def __init__(self, name: str, cues: Sequence[Cue],
                 ordinary: Callable[[str], bool]) -> None:
        self.cues = tuple(cues)
        self.ordinary = ordinary
        rules = [Rule(cue.name, cue.regex, cue.score) for cue in self.cues]
        super().__init__(name, self.cues[0].entity, rules)
        self.supported_entities = sorted({cue.entity for cue in self.cues})

    def analyze(self, text: str, entities: list[str],
                nlp_artifacts: NlpArtifacts | None = None) -> list[RecognizerResult]:
        results = []
        for cue, rule, regex in zip(self.cues, self.rules, self.compiled, strict=True):
            if cue.entity not in entities:
                continue
            for match in regex.finditer(text):
                span = self._name_in(text, match, cue)
                if span is not None:
                    results.append(self._result(cue.entity, rule, *span))
        return results

    def _name_in(self, text: str, match: re.Match[str], cue: Cue) -> tuple[int, int] | None:
        words = list(re.finditer(r"[^\W\d_][\w'’-]*", match.group("value")))
        if cue.side == "before":
            words.reverse()
        kept = []
        for word in words:
            if not self._name_like(word.group(0), cue):
                break
            kept.append(word)
        if not kept:
            return None
        offset = match.start("value")
        first, last = (kept[0], kept[-1]) if cue.side != "before" else (kept[-1], kept[0])
        return offset + first.start(), offset + last.end()

    def _name_like(self, word: str, cue: Cue) -> bool:
        lower = word.lower()
        if lower in NOT_NAMES or lower in CUE_STOP or len(word) < 2:
            return False
        if word[0].isupper():
            strict = cue.capitalised_only or not cue.ordinary_capitals
            return not strict or not self.ordinary(word)
        return not cue.capitalised_only and not self.ordinary(word)


CUE_STOP = frozenset({
    "i", "me", "my", "you", "your", "he", "him", "his", "she", "her", "we", "us", "our", "they",
    "them", "their", "it", "its", "the", "a", "an", "and", "or", "but", "of", "in", "at", "on",
    "to", "for", "from", "with", "by", "is", "was", "are", "were", "be", "this", "that", "who",
    "what", "when", "where", "why", "how", "user", "assistant", "bot", "system", "mr", "mrs",
    "ms", "dr", "so", "then", "there", "here", *GREETINGS,
})
NAME_WORDS = r"(?P<value>[^\W\d_][\w'’-]*(?:[ \t]+[^\W\d_][\w'’-]*){0,3})"
NAME_BEFORE = r"(?P<value>(?:[^\W\d_][\w'’-]*[ \t]+){0,2}[^\W\d_][\w'’-]*)"
CUES = (
    Cue("place_after_cue", "LOCATION",
        r"(?i:\b(?:grew up in|grown up in|lives? in|living in|born in|raised in|moved to|"
        r"moving to|arrived (?:at|in)|home (?:city|town|village)(?: of)?|coming to|"
        r"travel(?:l?ing)? to|trip to|flight to|visiting|originally from|based in|located in|"
        r"where:|city of|town of|village of))[ \t]+" + NAME_WORDS, 0.5),
    Cue("organisation_after_cue", "ORGANIZATION",
        r"(?i:\b(?:works? (?:at|for)|working (?:at|for)|worked (?:at|for)|employed (?:at|by)|"
        r"spent (?:a|\w+) years? at|(?:is|am|are) from|recorded for|joined|intern(?:ed)? at|"
        r"job at|position at|account (?:at|with)))[ \t]+" + NAME_WORDS, 0.45),
    Cue("person_after_strong_cue", "PERSON",
        r"(?i:\b(?:my name is|name is|call(?:s|ed)? me|named (?:him|her|them)?|"
        r"daughter of|son of|wife of|husband of|dear|regards,?|sincerely,?|name:))[ \t]+"
        + NAME_WORDS, 0.5),
    # After weaker cues a capitalised ordinary word ("this is Python") is no name.
    Cue("person_after_cue", "PERSON",
        r"(?i:\b(?:i am|i'm|this is|shouted at|said to|talk(?:ed|ing)? to|spoke to|speak to|"
        r"meet|met|ask|asked|tell|told|thank|married|assistant to|hi|hello|hey|user:))[ \t]+"
        + NAME_WORDS, 0.5, capitalised_only=False, ordinary_capitals=False),
    Cue("person_before_cue", "PERSON",
        NAME_BEFORE + r"(?i:[ \t]+(?:said|says|shouted|asked|told|replied|wrote|explained|"
        r"is from|was a huge|will be talking|had given|is very|has|had|was born))\b", 0.45,
        side="before"),
    Cue("possessive", "PERSON", NAME_BEFORE + r"(?:'s|’s)\b", 0.4, side="before",
        capitalised_only=True),
    Cue("speaker_or_vocative", "PERSON",
        r"(?m)^[ \t>]*" + NAME_BEFORE + r"[ \t]*(?:,[ \t]|:)", 0.45, side="before",
        capitalised_only=True),
)


def _words(*items: str) -> str:
    return "|".join(items)


STREET_TYPES = _words(
    "street", "st", "avenue", "ave", "road", "rd", "boulevard", "blvd", "lane", "ln", "drive",
    "dr", "court", "ct", "place", "pl", "square", "sq", "terrace", "ter", "way", "parkway",
    "pkwy", "highway", "hwy", "circle", "cir", "trail", "trl", "crescent", "close", "row",
    "alley", "plaza", "path", "pike", "loop", "run", "walk", "grove", "gardens", "park",
    "hill", "mews", "rise", "view", "crossing", "point", "ridge", "green", "heights", "estate",
    "expressway", "freeway", "turnpike", "port", "junction", "manor", "fork", "meadows",
    "valley", "village", "station", "spur", "ville", "mall", "vista", "gateway", "lodge",
)
# Street words that carry the street type inside them (Hochstraße, Dorpsweg ...).
STREET_SUFFIXES = _words(
    r"stra(?:ss|ß)e", r"str\.", "weg", "gasse", "laan", "straat", "plein", "allee", "platz",
    "dijk", "gracht", "vej", "gade", "gatan", "vägen", "katu", "tie", "utca", "kade", "steeg",
    "ring", "damm", "ufer", "markt", "hof", "berg",
)
STREET_PREFIXES = _words(
    "rua", "avenida", "av", "calle", "carrer", "via", "viale", "rue", "vila", "praça", "praca",
    "travessa", "largo", "rodovia", "estrada", "alameda", "plaza", "paseo", "piazza", "corso",
    "boulevard", "ulica", "ul", "place", "quai", "chemin", "impasse", "allée", "route",
)
UNIT = (r"(?:apt|apartment|suite|ste|unit|floor|fl|room|rm|bldg|building|flat|no)"
        r"\.?\s*#?\s*\d+[a-z]?")
WORD = r"[^\W\d_][\w'’.-]*"
# A building number may precede the street number ("27 29 Hornsey Road").
NUMBERS = r"(?:\d{1,5}[a-z]?[ \t]+)?\d{1,6}[a-z]?"

NETWORK_ADDRESS = re.compile(
    r"\b\d{1,3}(?:\.\d{1,3}){3}\b|\b[0-9a-fA-F]{1,4}(?::[0-9a-fA-F]{0,4}){2,}")


def street_like(value: str) -> bool:
    """An address after its cue names a street: a word, and no network address
    ("ip address 10.40.0.1 255.255.255.0")."""
    return re.search(r"[^\W\d_]{2,}", value) is not None and NETWORK_ADDRESS.search(value) is None


ADDRESS_RULES = (
    Rule("street_number_first",
         rf"(?i)\b{NUMBERS}(?:[ \t]+{WORD}){{1,4}}?[ \t]+(?:{STREET_TYPES})\b\.?"
         rf"(?:,?[ \t]+{UNIT})?", 0.6),
    Rule("street_name_first",
         rf"(?i)\b(?:{NUMBERS}[ \t]+)?(?:{WORD}[ \t]+){{0,3}}?{WORD}(?:{STREET_SUFFIXES})[ \t]+"
         rf"\d{{1,5}}[a-z]?\b", 0.6),
    Rule("street_prefix",
         rf"(?i)\b(?:{NUMBERS}[ \t]+)?(?:{STREET_PREFIXES})\.?[ \t]+(?:{WORD}[ \t,]+){{1,5}}?"
         rf"\d{{1,5}}[a-z]?\b", 0.55),
    Rule("unit", rf"(?i)\b{UNIT}\b", 0.45),
    Rule("po_box", r"(?i)\b(?:\d{1,5}[ \t]+)?p\.?\s?o\.?\s+box\s+\d+\b", 0.6),
    Rule("military_box", r"(?i)\b(?:psc|unit|cmr)\s+\d{3,5},?\s+box\s+\d{3,5}\b", 0.6),
    Rule("military_post", r"\b(?:USNS|USS|USNV|USCGC)\s+[A-Z][a-z]+\b|\b[ADF]PO\s+A[AEP]\s+\d{5}\b",
         0.6),
    Rule("corner", rf"(?i)\bcorner of[ \t]+(?:{WORD}[ \t]+){{0,3}}?{WORD}[ \t]+and[ \t]+"
                   rf"(?:{WORD}[ \t]+){{0,3}}?{WORD}", 0.5),
    Rule("zip_in_context", r"\b\d{5}(?:-\d{4})?\b", 0.1),
    # A line of its own that reads "12 Some Street Name 34": the number-name-number
    # shape of addresses across Europe and Latin America.
    Rule("street_line",
         rf"(?im)^[^\w\n]*(?P<value>{NUMBERS}(?:[ \t]+{WORD}){{1,5}}[ \t]+\d{{1,5}}[a-z]?\.?)"
         rf"[ \t]*$", 0.5),
    Rule("address_after_cue",
         r"(?i)\b(?:address(?:\s+is)?\s*:?|lives?\s+at|living\s+at|located\s+at|office\s+is\s+at|"
         r"resides?\s+at|moved\s+to|ship(?:ped)?\s+(?:it\s+)?to|deliver(?:ed)?\s+(?:it\s+)?to|"
         r"send\s+(?:it\s+|them\s+|a\s+new\s+one\s+|the\s+\w+\s+)?to|mail\s+(?:it\s+)?to)\s+"
         r"(?P<value>\d[^\n?!;]{3,80}?)(?=\.\s|[?!;]|\.?\n|\.?$)", 0.6, street_like),
)

NOT_SECRETS = frozenset({
    "valid", "invalid", "required", "incorrect", "correct", "wrong", "expired", "missing",
    "empty", "null", "none", "nil", "true", "false", "yes", "no", "on", "off", "here", "below",
    "above", "same", "different", "changed", "reset", "strong", "weak", "secure", "stored",
    "saved", "hashed", "encrypted", "needed", "set", "sent", "shown", "hidden", "protected",
    "optional", "undefined", "not", "this", "that", "your", "their", "what", "which", "also",
    "still", "only", "just", "then", "when", "will", "must", "should", "from", "with",
    # Type names of a declaration ("password: str", "token: string;").
    "str", "string", "bytes", "int", "integer", "number", "text", "varchar", "secretstr",
    "securestring", "object", "any", "bool", "boolean", "char",
    # The word itself, as a label or a form field's type.
    "password", "passwd", "passphrase", "secret", "token", "key", "apikey", "credentials",
})

# A value that names where the secret comes from, not the secret itself: an
# environment or template reference, a call, an index, a dotted attribute
# ("settings.SECRET_KEY"), a YAML tag, a placeholder ("<your-token>", "YOUR_API_KEY").
SECRET_REFERENCE = re.compile(
    r"(?i)os\.|process\.env|getenv|env\(|\$\{|\$[a-z_]|%[a-z_]+%|\{\{|<|%\(|ENV\[|![a-z]+$|"
    r"[a-z_][\w.]*[(\[]|[a-z_]+(?:\.[a-z_]+)+$|"
    r"your[_ -]|.*[_ -]here$|x{3,}$|\*{3,}|\.{3}|(?:redacted|placeholder|example|dummy)$")


def _key_words(*words: str) -> str:
    """Key words that may end a key name: after a non-letter (``DB_PASSWORD``,
    ``db.password``) or, capitalised, inside camelCase (``dbPassword``)."""
    alternatives = "|".join(words)
    capitalised = "|".join(w[0].upper() + f"(?i:{w[1:]})" for w in words if w[0].isalpha())
    return (rf"(?:(?<![A-Za-z0-9?&])(?i:{alternatives})|(?<=[a-z0-9])(?:{capitalised}))"
            r"(?![A-Za-z0-9_]|[.-][A-Za-z0-9])")


# A "key" is secret only with a word saying what kind: api_key, PrivateKey,
# PresharedKey, SECRET_KEY, signingKey. Not PublicKey, primary_key, sort_key.
SECRET_KEY_KINDS = (
    "api", "private", "secret", "secret[_.-]?access", "access", "auth", "signing", "sign",
    "encryption", "encrypt", "master", "client", "app", "application", "pre[_.-]?shared",
    "session", "licen[cs]e", "account", "storage", "shared", "hmac", "jwt", "webhook",
    "subscription", "consumer", "deploy", "service[_.-]?account",
)
SECRET_KEY_NAME = _key_words(
    "password", "passwd", "pwd", "passphrase", "pass", "passcode", "secret", "token",
    *(rf"{kind}[_.-]?key" for kind in SECRET_KEY_KINDS),
)
def token_like(value: str) -> bool:
    """Letters and digits both: a generated token, not a word or a number."""
    return (any(c.isdigit() for c in value) and any(c.isalpha() for c in value)
            and SECRET_REFERENCE.match(value) is None)


def password_like(value: str) -> bool:
    """Six characters or more, a letter and a digit or symbol before any closing
    punctuation ("password reset!" is no password), not a reference."""
    core = value.rstrip(".,;:!?)")
    return (len(core) >= 6 and any(c.isalpha() for c in core)
            and any(c.isdigit() or c in "!@#$%^&*~+=" for c in core)
            and SECRET_REFERENCE.match(value) is None and "://" not in value)


# A variable named for what it holds ("password=db_password", "token: authToken").
NAMED_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*?" + SECRET_KEY_NAME)


def secret_value(value: str) -> bool:
    """Not a word about the secret ("is required"), a reference to where it is kept,
    nor a variable named for it."""
    return (value.lower() not in NOT_SECRETS and SECRET_REFERENCE.match(value) is None
            and NAMED_VARIABLE.fullmatch(value) is None)


# A bare value runs to a blank, a quote or a separator, and does not end in
# sentence or bracket punctuation ("token=None):", "is hunter2.").
BARE_VALUE = r"[^\s\"'`,;]{3,}[^\s\"'`,;.:)\]}>]"
# The key's closing quote, then "=", ":", "=>", ":=" or a typed declaration
# ("password: str = ..."), then the value: quoted whole, or bare to a blank.
SECRET_ASSIGNMENT = (
    SECRET_KEY_NAME + r"[\"']?[ \t]*"
    r"(?:=>|:=|(?::[ \t]*[A-Za-z_][\w\[\]., |]{0,40}?[ \t]*)?=|:)[ \t]*"
    r"(?:\"(?P<value_double>[^\"\n]{4,8000})\"|'(?P<value_single>[^'\n]{4,8000})'|"
    r"(?P<value>" + BARE_VALUE + "))"
)
PRIVATE_KEY_HEADER = r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"

SECRET_RULES = (
    Rule("openai_key", r"\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}", 0.95),
    Rule("anthropic_key", r"\bsk-ant-[A-Za-z0-9_-]{20,}", 0.95),
    Rule("aws_access_key", r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA)[A-Z0-9]{16}\b", 0.9),
    Rule("aws_secret_key",
         r"(?i)aws_?secret_?(?:access_?)?key[\"']?\s*[:=]\s*[\"']?(?P<value>[A-Za-z0-9/+=]{40})",
         0.95),
    Rule("github_token", r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})", 0.95),
    Rule("google_api_key", r"\bAIza[0-9A-Za-z_-]{35}", 0.9),
    Rule("slack_token", r"\bxox[abposr]-[A-Za-z0-9-]{10,}", 0.95),
    # GitLab, npm, PyPI and Hugging Face tokens carry their kind in a prefix.
    Rule("prefixed_token", r"\b(?:glpat-[A-Za-z0-9_-]{20,}|npm_[A-Za-z0-9]{36}|"
                           r"pypi-[A-Za-z0-9_-]{50,}|hf_[A-Za-z0-9]{30,})", 0.95),
    Rule("slack_webhook", r"https://hooks\.slack\.com/services/[A-Za-z0-9/]+", 0.95),
    Rule("stripe_key", r"\b(?:sk|rk|pk|whsec)_(?:live|test)_[A-Za-z0-9]{16,}", 0.95),
    Rule("jwt", r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}", 0.9),
    # SSH, TLS and PGP private keys, the whole armoured block; a block cut off
    # before its END line runs to the last line of key text.
    Rule("private_key", PRIVATE_KEY_HEADER + r"[\s\S]*?-----END (?:[A-Z0-9]+ )*PRIVATE KEY"
                        r"(?: BLOCK)?-----", 1.0),
    Rule("private_key_unended",
         PRIVATE_KEY_HEADER + r"(?:(?:\\n|\r?\n)[ \t]*(?:[A-Za-z][\w-]*: [^\n\\]*|"
         r"[A-Za-z0-9+/=]{2,}|(?=(?:\\n|\r?\n)[ \t]*[A-Za-z0-9+/]{16,})))+", 1.0),
    Rule("putty_private_key",
         r"(?i)\bPrivate-Lines:[ \t]*\d+[ \t]*\r?\n(?P<value>(?:[ \t]*[A-Za-z0-9+/=]+[ \t]*"
         r"(?:\r?\n|$))+)", 1.0),
    # INI, TOML, YAML, JSON, .env, properties, code and prose: a key whose name
    # says password, secret, token or a kind of key; the value is the span.
    Rule("assigned_secret", SECRET_ASSIGNMENT, 0.7, secret_value),
    # An environment variable named for a service's key (STRIPE_KEY, MAPBOX_KEY) whose
    # value reads as a token: long, letters and digits.
    Rule("env_service_key",
         r"(?<![\w.-])(?!(?:PUBLIC|PRIMARY|PARTITION|SORT|FOREIGN|CACHE|HASH|ROUTING|"
         r"IDEMPOTENCY|OBJECT|REDIS|S3|GPG|SSH)_KEY)(?:[A-Z][A-Z0-9]*_)+KEY[\"']?[ \t]*[=:][ \t]*"
         r"[\"']?(?P<value>[A-Za-z0-9_+/=.-]{16,})", 0.7, token_like),
    # "the password `Juniper-5418`", "asks for the password harbor!Mistral4026".
    Rule("password_named",
         r"(?i)\b(?:password|passphrase|passwd)[ \t]+(?:`(?P<value_quoted>[^`\n]{4,})`|"
         r"(?P<value>\S*?[0-9!@#$%^&*~+=]\S*?))(?=[.,;:!?)]*(?:\s|$))", 0.6, password_like),
    Rule("secret_is", rf"{SECRET_KEY_NAME}[ \t]+is[ \t]+(?::[ \t]*)?[\"']?"
                      r"(?P<value>" + BARE_VALUE + ")", 0.6, secret_value),
    # A query string or a connection string: the value ends at "&" or ";".
    Rule("query_secret",
         r"(?i)[?&;][\w.-]*(?:password|passwd|pwd|secret|token|api[_-]?key)=(?P<value>[^&;\s#\"']{3,})",
         0.8, secret_value),
    # ODBC braces a value holding ";": PWD={a;b}.
    Rule("braced_secret", r"(?i)\b(?:password|pwd)=\{(?P<value>[^}\n]{3,})\}", 0.85),
    # XML elements and .NET appSettings: <password>..</password>, key="ApiKey" value="..".
    Rule("xml_secret",
         r"<(?P<tag>[\w:.-]*(?i:password|passwd|secret|token|api[_-]?key|private[_-]?key))>"
         r"(?P<value>[^<\n]{3,})</(?P=tag)>", 0.8, secret_value),
    Rule("app_setting_secret",
         r"(?i)\b(?:key|name)=\"[\w:.-]*(?:password|pwd|secret|token|api[_-]?key)\"[ \t]+"
         r"value=\"(?P<value>[^\"\n]{3,})\"", 0.8, secret_value),
    # HTTP: Authorization: Bearer TOKEN / Basic BASE64.
    Rule("authorization_header",
         r"(?i)\bauthorization[\"']?[ \t]*[:=][ \t]*[\"']?(?:bearer|basic|token|digest)[ \t]+"
         r"(?P<value>[A-Za-z0-9._~+/=-]{8,})", 0.9, secret_value),
    # Command lines: --password hunter2, --api-key=...
    Rule("flag_secret",
         r"(?i)(?<![\w-])--(?:[a-z0-9]+-)*(?:password|passwd|pass|secret|token|api-key)"
         r"(?:=|[ \t]+)(?P<value>[^\s\"'-][^\s\"']{3,})", 0.75, secret_value),
    # .netrc: machine HOST login USER password SECRET.
    Rule("netrc_password",
         r"(?i)\bmachine[ \t]+\S+(?:[ \t]+login[ \t]+\S+)?[ \t]+password[ \t]+(?P<value>\S{3,})",
         0.9),
    # scheme://user:password@host: the password of any URL's login part (no user
    # name in redis://:password@host).
    Rule("url_password", r"(?i)\b[a-z][a-z0-9+.-]*://[^\s:/@]*:(?P<value>[^\s/@]{3,})@",
         1.0, lambda value: value.lower() not in NOT_SECRETS),
    # Network device configuration: "secret 0 ...", "password 7 ...", typed or after
    # "enable" / "username NAME".
    Rule("device_typed_secret",
         r"(?m)\b(?:secret|password)[ \t]+[0-9][ \t]+(?P<value>\S{4,})[ \t]*$", 0.85),
    Rule("device_secret",
         r"(?m)^[ \t]*(?:enable|username[ \t]+\S+(?:[ \t]+privilege[ \t]+\d+)?)[ \t]+"
         r"(?:secret|password)[ \t]+(?P<value>\S{4,})[ \t]*$", 0.85),
)

NOT_USERS = frozenset({
    "shared", "public", "default", "all", "guest", "admin", "root", "runner", "user", "username",
    "property", "staticmethod", "classmethod", "dataclass", "override", "param", "return",
    "returns", "here", "everyone", "channel", "git", "ubuntu", "pi", "ec2-user",
    # Accounts a service or a deployment runs as, the same on every machine.
    "deploy", "deployer", "app", "www-data", "nobody", "daemon", "postgres", "mysql", "nginx",
    "apache", "jenkins", "ansible", "vagrant", "docker", "centos", "debian", "fedora",
    "opc", "azureuser", "administrator", "service", "test",
})

USERNAME_RULES = (
    Rule("home_path",
         r"(?:/Users/|/home/|[A-Za-z]:\\{1,2}Users\\{1,2}|\\\\Users\\\\|~)"
         r"(?P<value>[A-Za-z0-9_][A-Za-z0-9._-]*)",
         0.75, lambda value: value.lower() not in NOT_USERS),
    # The span keeps its "@": the handle as written is what identifies the person.
    Rule("handle",
         r"(?<![\w.@/])(?P<value>@[A-Za-z0-9_][A-Za-z0-9_.]{1,29}[A-Za-z0-9_])"
         r"(?!\.?[\w(/@])",
         0.7, lambda value: value[1:].lower() not in NOT_USERS),
    Rule("url_login", r"(?i)\b[a-z][a-z0-9+.-]*://(?P<value>[^\s:/@]{2,}):[^\s/@]+@", 0.6,
         lambda value: value.lower() not in NOT_USERS),
    # Logs: "login ok user=amara.mutasa ip=...".
    Rule("username_assigned", r"(?i)(?<![\w.-])(?:user|usr|uid|account)=(?P<value>"
                              r"[A-Za-z0-9._@-]{2,})", 0.7,
         lambda value: value.lower() not in NOT_USERS),
    # The login of a remote shell or copy: "ssh qtran95@86.109.126.37", "rsync -av ./ u@host:".
    Rule("remote_login",
         r"\b(?:ssh|scp|sftp|rsync|mosh|ssh-copy-id)\b[^\n`]*?[ \t](?P<value>[A-Za-z_]"
         r"[A-Za-z0-9._-]{1,31})@(?:\d{1,3}(?:\.\d{1,3}){3}|[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)",
         0.7, lambda value: value.lower() not in NOT_USERS),
    Rule("username_label",
         r"(?i)\b(?:user ?name|login|user ?id|handle)\s*[:=]\s*(?P<value>[A-Za-z0-9._@-]{3,})",
         0.7),
)

HANDLE = r"[A-Za-z0-9](?:[A-Za-z0-9_]|[.-](?=\w)){2,31}"


def username_cue_rules(ordinary: Callable[[str], bool] | None) -> tuple[Rule, ...]:
    """A user name after its cue without a colon ("Username kenjimt", "login j.doe42").

    The word must not be an ordinary English word ("user clicks", "login failed").
    """
    def handle_like(value: str) -> bool:
        lower = value.lower()
        if lower in NOT_USERS or lower in CUE_STOP or (ordinary is not None and ordinary(value)):
            return False
        return ordinary is not None or any(not c.isalpha() for c in value)

    return (Rule("username_after_cue",
                 r"(?i:\b(?:user ?name|login|user ?id|user)(?:[ \t]+is)?)[ \t]+"
                 r"(?P<value>" + HANDLE + r")(?![\w@-])", 0.6, handle_like),
            # "my username on the forum is wkettering": a few words may stand between.
            Rule("username_is",
                 r"(?i:\b(?:user ?name|login|handle)\b[^.?!\n]{1,40}?[ \t]is)[ \t]+"
                 r"(?P<value>" + HANDLE + r")(?![\w@-])", 0.6, handle_like))


URL_RULES = (
    Rule("social_profile",
         r"(?i)\bhttps?://(?:www\.|m\.)?(?:twitter\.com|x\.com|facebook\.com|fb\.com|"
         r"instagram\.com|linkedin\.com/in|github\.com|gitlab\.com|tiktok\.com/@|reddit\.com/u(?:ser)?|"
         r"youtube\.com/(?:@|c/|user/)|medium\.com/@|t\.me|threads\.net/@|bsky\.app/profile)"
         r"/?[A-Za-z0-9_.@-]+/?", 0.85),
)

EMAIL_RULES = (
    Rule("obfuscated_email",
         r"(?i)\b[a-z0-9._%+-]+\s*(?:\[at\]|\(at\)|\{at\}|<at>|\s+at\s+)\s*[a-z0-9-]+"
         r"(?:\s*(?:\[dot\]|\(dot\)|\{dot\}|<dot>|\s+dot\s+|\.)\s*[a-z0-9-]+)*"
         r"\s*(?:\[dot\]|\(dot\)|\{dot\}|<dot>|\s+dot\s+)\s*[a-z]{2,10}\b", 0.7),
    # An address with a particle of a script without spaces glued to it ("jo@orange.fr로",
    # "a@b.jpに"), where Presidio's pattern finds no word boundary.
    Rule("email_before_particle",
         r"(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}"
         r"(?=[^\W\d_A-Za-z])", 0.8),
)

DOB_RULES = (
    Rule("date_of_birth",
         r"(?i)\b(?:born(?:\s+on)?|date of birth|d\.?o\.?b\.?|birth ?date|birthday)\b[\s:,-]*"
         r"(?:is\s+)?(?P<value>\d{1,4}[./-]\d{1,2}[./-]\d{1,4}|"
         r"(?:\d{1,2}(?:st|nd|rd|th)?\s+)?[a-z]{3,9}\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}|"
         r"\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?[a-z]{3,9}\.?,?\s+\d{4})", 0.85),
)

# Where an age ends: the clause does ("I just turned 42.", "I'm 34 and ..."), or a
# time word follows ("turned 60 last May"); not a unit ("turned 90 degrees").
AGE_END = (r"(?=[ \t]*(?:[.,;:!?)]|$|\n|[ \t](?i:years?|yrs?|y/?o|in|on|last|next|this|"
           r"today|tomorrow|yesterday|soon|and|but|so|when|after|before|myself|now|"
           r"already)\b))")
AGE_RULES = (
    Rule("age_years_old", r"(?i)\b\d{1,3}[ -](?:years?|yrs?)[ -]old\b", 0.6),
    Rule("age_label", r"(?i)\b(?:age[ds]?|aged)\s*[:=]?\s*(?P<value>\d{1,3})\b", 0.55),
    # "I just turned 42", "I'll turn 81", "she is turning 7 in May".
    Rule("age_after_turn", r"(?i)\bturn(?:ed|s|ing)?[ \t]+(?P<value>\d{1,3})\b" + AGE_END, 0.6),
    # "retired at the age of 68", "since age 12".
    Rule("age_of", r"(?i)\b(?:at|by|from|since|until|till|before|after|over|under|the)[ \t]+"
                   r"(?:the[ \t]+)?age[ \t]+(?:of[ \t]+)?(?P<value>\d{1,3})\b", 0.6),
    # "I'm 34.", "he is 12 and ...": a person and a bare number ending the clause.
    Rule("age_after_person",
         r"(?i)\b(?:i'm|i am|i’m|he's|she's|he is|she is|who is|who's|they're|they are|"
         r"you're|you are|we're)[ \t]+(?:now[ \t]+|only[ \t]+|almost[ \t]+|nearly[ \t]+)?"
         r"(?P<value>\d{1,3})\b" + AGE_END, 0.5),
    # "my son is 2 and ...", "my kid aksel is 13,": a relative and a bare number.
    Rule("age_of_relative",
         r"(?i)\b(?:son|daughter|kid|child|baby|boy|girl|brother|sister|mother|father|mom|"
         r"mum|dad|grandson|granddaughter|grandma|grandpa|grandmother|grandfather|wife|"
         r"husband|partner|nephew|niece)(?:[ \t]+[^\W\d_][\w'-]*)?[ \t]+(?:is|was|turns|"
         r"turned)[ \t]+(?:now[ \t]+|only[ \t]+|almost[ \t]+)?(?P<value>\d{1,3})\b" + AGE_END,
         0.55),
    # The same in other languages: "ho 31 anni", "tengo 77 años", "ich bin 35 Jahre
    # alt", "j'ai 40 ans", "tenho 52 anos", "올해 85살", "35歳", "35岁".
    Rule("age_other_languages",
         r"(?i)\b(?:ho|tengo|tiene|tienes|cumpli[óo]|cumple|j'ai|il a|elle a|tenho|tem|"
         r"ich bin|er ist|sie ist|ik ben|hij is|zij is|mam|ma)[ \t]+(?P<value>\d{1,3})[ \t]+"
         r"(?:anni|años|ans|anos|jahre|jaar|lat)\b|(?P<value_cjk>\d{1,3})(?=[ \t]?(?:살|세|歳|岁))",
         0.6),
)



def card_shaped(separator: str) -> str:
    """Four groups of four digits with one separator (a group named ``separator``)."""
    return (rf"\b\d{{4}}(?P<{separator}>[ -]?)\d{{4}}(?P={separator})\d{{4}}"
            rf"(?P={separator})\d{{4}}\b")


CARD_WORDS = r"(?i:\b(?:card|visa|mastercard|amex|debit|credit)\b)"

ACCOUNT_RULES = (
    # A card-shaped number in a line that speaks of a card, before or after it: what
    # a user typed as a card number even when it fails the Luhn check.
    Rule("card_shaped_near_card",
         CARD_WORDS + r"[^\n]{0,60}?(?P<value>" + card_shaped("after") + r")|"
         r"(?P<value_before>" + card_shaped("before") + r")(?=[^\n]{0,60}?" + CARD_WORDS + ")",
         0.6),
    # A few words may stand between, within the sentence: "account number, it's 6620 1187 0453".
    Rule("number_after_words",
         r"(?i)\b(?:account|acct|record|case|claim|policy|member|membership|customer|patient|"
         r"invoice|order|ticket|reference|file|docket|loan|contract|employee|routing|card)[ \t]*"
         r"(?:number|no\.?|num|#|id)(?![\w-])(?:(?![.?!]\s)[^\d\n]){0,40}?(?<![\w-])"
         r"(?P<value>[A-Z]{0,4}-?\d[\d -]{3,22}\d)\b",
         0.75, lambda value: sum(c.isdigit() for c in value) >= 5),
    Rule("number_in_context",
         r"(?i)\b(?:account|acct|a/c|record|case|claim|policy|member|customer|patient|invoice|"
         r"order|ticket|reference|ref|mrn|file|docket|loan|contract|employee|badge|license|"
         r"licence|passport|routing|sort code|iban|id|card)\s*(?:number|no\.?|num|#|id)?\s*[:#]?\s*"
         r"(?:is\s+)?(?P<value>[A-Z]{0,4}[-]?\d[\d -]{3,22}\d|[A-Z0-9]{2,5}-\d{3,}(?:-\w+)?)",
         0.8, lambda value: sum(c.isdigit() for c in value) >= 4),
)

US_STATES = _words(
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN",
    "IA", "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH",
    "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT",
    "VT", "VA", "WA", "WV", "WI", "WY", "PR", "Alabama", "Alaska", "Arizona", "Arkansas",
    "California", "Colorado", "Connecticut", "Delaware", "Florida", "Georgia", "Hawaii",
    "Idaho", "Illinois", "Indiana", "Iowa", "Kansas", "Kentucky", "Louisiana", "Maine",
    "Maryland", "Massachusetts", "Michigan", "Minnesota", "Mississippi", "Missouri", "Montana",
    "Nebraska", "Nevada", "New Hampshire", "New Jersey", "New Mexico", "New York",
    "North Carolina", "North Dakota", "Ohio", "Oklahoma", "Oregon", "Pennsylvania",
    "Rhode Island", "South Carolina", "South Dakota", "Tennessee", "Texas", "Utah", "Vermont",
    "Virginia", "Washington", "West Virginia", "Wisconsin", "Wyoming",
)
POSTCODE_SHAPES = (r"\d{5}-\d{4}|\d{4}[ \t]?[A-Z]{2}\b|[A-Z]\d[A-Z][ \t]?\d[A-Z]\d|"
                   r"\d{2}-\d{3}|\d{3}[ \t]\d{2}|\d{4,6}")
ZIP_RULES = (
    # "ZIP: 1098", "postcode 1098 XH", "Postleitzahl 10115", "CEP 01310-100".
    Rule("postcode_after_cue",
         r"(?i:\b(?:zip|zip[ \t-]?code|postcode|post[ \t]code|postal[ \t]code|"
         r"postleitzahl|plz|cep|code postal|c\.p\.)|\bCP)"
         r"[ \t]*(?:(?i:is|was)[ \t]+)?[:#]?[ \t]*(?P<value>" + POSTCODE_SHAPES + r"|\d{5}-\d{3})"
         r"(?![\w-])", 0.6),
    # "Springfield, IL 62704", "Lindgren Falls, MN 55493": a city, its state and
    # the ZIP code (the comma keeps "My ID 12345" out).
    # "Halifax, NS B3H 2Y9": a Canadian province and its postal code.
    Rule("city_province_postcode",
         r"\b[A-Z][a-z][\w'’-]*\.?(?:[ \t]+[A-Z][a-z][\w'’-]*\.?){0,2},[ \t]+"
         r"(?:AB|BC|MB|NB|NL|NS|NT|NU|ON|PE|QC|SK|YT)\.?,?[ \t]+[A-Z]\d[A-Z][ \t]?\d[A-Z]\d\b",
         0.6),
    Rule("city_state_zip",
         r"\b[A-Z][a-z][\w'’-]*\.?(?:[ \t]+[A-Z][a-z][\w'’-]*\.?){0,2},[ \t]+(?:" + US_STATES +
         r")\.?,?[ \t]+\d{5}(?:-\d{4})?\b", 0.6),
)

ID_CUES = (
    r"passport|booking|confirmation|reservation|reference|ref\.?|pnr|record locator|"
    r"(?:licen[cs]e|number|registration|reg\.?) plate|plate|registration|serial|s/n|vin|"
    r"tracking|membership|voucher|ticket"
)
ID_RULES = (
    # "booking reference QX7T4M", "plate 8KTR-442", "(serial EB48-2207-99131)": a
    # code of capitals and digits (at least two) shortly after its cue.
    Rule("identifier_after_cue",
         rf"(?i:\b(?:{ID_CUES})(?!\w)(?:[ \t]+(?:number|no\.?|num|code|id)(?!\w))?)"
         r"[ \t]*[:#]?[ \t]*"
         r"(?:(?i:is|was|it's|it is|reads)[ \t]+)?"
         r"(?P<value>[A-Z0-9](?:[A-Z0-9]|-(?=[A-Z0-9])){4,24})(?![\w-])",
         0.7, lambda value: sum(c.isdigit() for c in value) >= 2),
)

PHONE_DIGITS = r"\+?\(?\d[\d() .x-]{5,22}\d"
PHONE_RULES = (
    Rule("number_after_cue",
         r"(?i)\b(?:call|phone|tel|telephone|mobile|cell|fax|reach (?:me|us)|answering|text me|"
         r"whatsapp|ring)\b[^\d\n+(]{0,16}(?P<value>" + PHONE_DIGITS + ")", 0.55,
         lambda value: sum(c.isdigit() for c in value) >= 6),
    Rule("number_before_label",
         r"(?P<value>" + PHONE_DIGITS + r")(?=[ -]?(?i:office|fax|mobile|cell|home|work)\b)", 0.55,
         lambda value: sum(c.isdigit() for c in value) >= 6),
)

NOT_NAMES = frozenset({
    "the", "a", "an", "it", "this", "that", "not", "here", "there", "sure", "sorry", "just",
    "going", "trying", "looking", "working", "chatgpt", "claude", "assistant", "everyone", "all",
    "team", "again", "thanks", "thank", "please", "yes", "no", "ok", "okay", "what", "how",
})

TITLE = r"(?:mr|mrs|ms|miss|mx|dr|prof|sir|madam|mister|lady|lord|rev|fr|sr|jr)"
NAME = r"[A-ZÀ-Þ][\w'’-]+"
PERSON_RULES = (
    Rule("title_name",
         rf"(?i:\b{TITLE}\.?)[ \t]+(?i:[a-zà-þ][\w'’-]+)(?:[ \t]+{NAME}){{0,2}}", 0.6),
    Rule("introduced_name",
         rf"(?i:\b(?:my name is|my name's|name is|i am|i'm|this is|call me|named|called|"
         rf"dear|hi|hello|regards,?|thanks,?|sincerely,?|cheers,?|signed[,:]))[ \t]+"
         rf"(?P<value>{NAME}(?:[ \t]+{NAME}){{0,2}})", 0.45,
         lambda value: value.split()[0].lower() not in NOT_NAMES),
    Rule("labelled_name",
         r"(?i)\b(?:name|full name|first name|last name|surname|contact|attn|attention|"
         r"cardholder|recipient|patient|client|beneficiary)\s*[:=]\s*"
         r"(?P<value>[^\W\d_][\w'’-]+(?:[ \t]+[^\W\d_][\w'’-]+){0,2})", 0.6),
)


def iban_valid(value: str) -> bool:
    """The ISO 13616 mod-97 check, whatever the case and spacing."""
    compact = value.replace(" ", "").upper()
    if not 15 <= len(compact) <= 34:
        return False
    digits = "".join(str(int(c, 36)) for c in compact[4:] + compact[:4])
    return int(digits) % 97 == 1


IBAN_RULES = (
    # Presidio's IBAN recognizer misses lower-case IBANs, common in typed chat.
    Rule("iban_any_case", r"(?i)\b[a-z]{2}\d{2}(?:[ ]?[a-z0-9]{4}){2,7}(?:[ ]?[a-z0-9]{1,4})?\b",
         0.8, iban_valid),
)


def chat_recognizers(policy: Policy, ordinary: Callable[[str], bool] | None = None
                     ) -> list[RegexRecognizer]:
    """The chat-specific recognizers plus the policy's own patterns.

    ``ordinary`` tells an ordinary English word from a possible name; without it
    the name cues are left out.
    """
    found = [
        RegexRecognizer("ChatSecretRecognizer", "SECRET", SECRET_RULES,
                        ["key", "token", "secret", "password", "credential"]),
        RegexRecognizer("ChatUsernameRecognizer", "USERNAME", USERNAME_RULES,
                        ["user", "username", "handle", "follow", "account", "profile"]),
        RegexRecognizer("SocialProfileRecognizer", "URL", URL_RULES),
        RegexRecognizer("ObfuscatedEmailRecognizer", "EMAIL_ADDRESS", EMAIL_RULES,
                        ["email", "mail", "contact", "write"]),
        RegexRecognizer("StreetAddressRecognizer", "ADDRESS", ADDRESS_RULES,
                        ["address", "live", "lives", "located", "street", "zip", "postcode",
                         "postal", "ship", "deliver", "mail", "send", "billing", "shipping"]),
        RegexRecognizer("PostcodeRecognizer", "ADDRESS", ZIP_RULES),
        RegexRecognizer("DateOfBirthRecognizer", "DATE_OF_BIRTH", DOB_RULES),
        RegexRecognizer("AgeRecognizer", "AGE", AGE_RULES, ["age", "old", "aged"]),
        RegexRecognizer("ContextNumberRecognizer", "ACCOUNT_NUMBER", ACCOUNT_RULES),
        RegexRecognizer("ContextIdentifierRecognizer", "ID_NUMBER", ID_RULES),
        RegexRecognizer("UsernameCueRecognizer", "USERNAME", username_cue_rules(ordinary)),
        RegexRecognizer("ChatNameRecognizer", "PERSON", PERSON_RULES),
        RegexRecognizer("ContextPhoneRecognizer", "PHONE_NUMBER", PHONE_RULES),
        RegexRecognizer("IbanAnyCaseRecognizer", "IBAN_CODE", IBAN_RULES),
    ]
    if ordinary is not None:
        found.append(CueRecognizer("NameCueRecognizer", CUES, ordinary))
    found.extend(_policy_recognizers(policy.patterns))
    return found


def _policy_recognizers(patterns: Iterable[CustomPattern]) -> list[RegexRecognizer]:
    return [
        RegexRecognizer(f"policy:{p.name}", p.entity, [Rule(p.name, p.regex, p.score)],
                        p.context)
        for p in patterns
    ]
