"""Secrets in configuration formats: WireGuard, INI, TOML, YAML, JSON, .env, connection
strings, XML, HTTP headers, command lines, SSH and PGP private key blocks.

The secret recognizer runs alone here (no language model), its findings
resolved as the service resolves them. A key is secret when its name ends in
password, passwd, pwd, pass, passphrase, secret, token or a kind of key (api,
private, preshared, secret, access, signing ...); the value alone is the span.
A public key (WireGuard ``PublicKey``, ``ssh-ed25519 AAAA...``) is meant to be
shared and is not suggested: a matter that treats it as identifying adds a
policy pattern.
"""

from __future__ import annotations

import pytest

from reviewer.domain.policy import Policy
from reviewer.suggest.engine import _suggestion
from reviewer.suggest.recognizers import chat_recognizers
from reviewer.suggest.shaping import resolve


def secrets(text: str) -> list[str]:
    (recognizer,) = [r for r in chat_recognizers(Policy()) if r.label == "ChatSecretRecognizer"]
    found = resolve(_suggestion(r) for r in recognizer.analyze(text, ["SECRET"]))
    return [text[s.start:s.end] for s in found]


WIREGUARD = """[Interface]
PrivateKey = yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=
Address = 10.40.0.2/24
ListenPort = 51820

[Peer]
PublicKey = xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=
PresharedKey = /UwcSPg38hW/D9Y3tcS1FOV0K1wuURMbS0sesJEP5ak=
Endpoint = 203.0.113.7:51820
"""

INI = """[database]
host = db.internal
user = billing
password = Tr0ub4dor&3
password_hint = the usual one
max_connections = 20
"""

TOML = """[auth]
client_secret = "9f8e7d6c5b4a3f2e"
api_key = 'AbC123xYz789'
token_count = 5
"""

YAML = """services:
  db:
    image: postgres:16
    environment:
      POSTGRES_PASSWORD: "correct horse battery staple"
      password_policy: strict
  app:
    apiKey: k-82736451
    keyboard_layout: us
"""

JSON = ('{"client_id": "541-desk.apps", "client_secret": "GOCSPX-s3cr3tVal88", '
        '"token_type": "Bearer", "access_token": "ya29.a0AfH6SMBxQ", "expires_in": 3599}')

DOTENV = """# local settings
DJANGO_SECRET_KEY=django-insecure-8k2#mx!q
export SENDGRID_API_KEY=SG.x9y8z7w6v5
STRIPE_API_KEY=${STRIPE_KEY}
DB_PASSWORD=$DB_PASS
DEBUG=true
"""

SERVICE_ACCOUNT = ('{"type": "service_account", "private_key_id": "8c1f2b7d", '
                   '"private_key": "-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQE'
                   '\\nFAASCBKcwggSjAgEAAoIBAQC7\\n-----END PRIVATE KEY-----\\n"}')

OPENSSH = """my deploy key:
-----BEGIN OPENSSH PRIVATE KEY-----
b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW
QyNTUxOQAAACDhF3Z0aW5nIG5vdCBhIHJlYWwga2V5IGF0IGFsbCBqdXN0IHRlc3Q=
-----END OPENSSH PRIVATE KEY-----
why does ssh say bad permissions?"""

PGP = """-----BEGIN PGP PRIVATE KEY BLOCK-----
Version: GnuPG v2

lQOYBF0bAAABCADFnotarealkeyjustsometextthatlookslikebase64AAAA
=Xyz1
-----END PGP PRIVATE KEY BLOCK-----"""

CUT_OFF_KEY = """it got cut when I pasted it:
-----BEGIN RSA PRIVATE KEY-----
MIIEowIBAAKCAQEA0Z3VS5JJcds3xfn/ygWyF8PbnGy0AHB7MaN2+7
Qz9XQ1c2M3M4NTY3ODkwYWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXo

Can you tell me what is wrong with it?"""

FORMATS = [
    ("wireguard", WIREGUARD, ["yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=",
                              "/UwcSPg38hW/D9Y3tcS1FOV0K1wuURMbS0sesJEP5ak="]),
    ("ini", INI, ["Tr0ub4dor&3"]),
    ("toml", TOML, ["9f8e7d6c5b4a3f2e", "AbC123xYz789"]),
    ("yaml", YAML, ["correct horse battery staple", "k-82736451"]),
    ("json", JSON, ["GOCSPX-s3cr3tVal88", "ya29.a0AfH6SMBxQ"]),
    ("dotenv", DOTENV, ["django-insecure-8k2#mx!q", "SG.x9y8z7w6v5"]),
    ("ado", "Server=tcp:sql1,1433;Database=crm;User Id=sa;Password=Winter2024!;Encrypt=True;",
     ["Winter2024!"]),
    ("odbc braces", "Driver={ODBC Driver 18};Server=sql1;UID=sa;PWD={p;ss:w0rd};",
     ["p;ss:w0rd"]),
    ("jdbc query", "jdbc:mysql://db:3306/app?user=root&password=Sup3rS3cret&useSSL=false",
     ["Sup3rS3cret"]),
    ("postgres url", "DATABASE_URL=postgres://billing:s3cr3t-Lantern@db.internal:5432/billing",
     ["s3cr3t-Lantern"]),
    ("mongodb srv", "mongodb+srv://admin:Mong0Pass@cluster0.ab1cd.mongodb.net/test?retryWrites=1",
     ["Mong0Pass"]),
    ("redis without user", "CACHE=redis://:r3disPass@cache:6379/0", ["r3disPass"]),
    ("xml", "<settings><server><id>nexus</id><password>Hunter22</password></server>",
     ["Hunter22"]),
    ("app settings", '<add key="PaymentApiKey" value="abc123def456" />', ["abc123def456"]),
    ("http header", 'curl -H "Authorization: Bearer abcdef1234567890" https://api.test/v1',
     ["abcdef1234567890"]),
    ("command line", "mysqldump --user=root --password=s3cret99 shop > shop.sql", ["s3cret99"]),
    ("netrc", "machine api.heroku.com login me@mail.test password n3trcPass", ["n3trcPass"]),
    ("prose", "My password is hunter2x, please don't share it.", ["hunter2x"]),
    ("password named in prose", "`DATABASE_URL` contains the password `Juniper-5418` and",
     ["Juniper-5418"]),
    ("password after the word", "scp asks for the password WdBlEZ$jmxGwY4 every time.",
     ["WdBlEZ$jmxGwY4"]),
    ("service key in .env", "STRIPE_KEY=rk3aefa63cd9fb6b5262a75363f84cdb\nDEBUG=False",
     ["rk3aefa63cd9fb6b5262a75363f84cdb"]),
    ("prefixed token", "Revoke `glpat-Erp6eLjvZjtft2BaWOcZ` now", ["glpat-Erp6eLjvZjtft2BaWOcZ"]),
    ("service account json", SERVICE_ACCOUNT,
     [SERVICE_ACCOUNT[SERVICE_ACCOUNT.index("-----BEGIN"):SERVICE_ACCOUNT.index('"}')]]),
    ("openssh", OPENSSH, [OPENSSH[OPENSSH.index("-----BEGIN"):OPENSSH.index("\nwhy")]]),
    ("pgp", PGP, [PGP]),
    ("cut-off key", CUT_OFF_KEY, [CUT_OFF_KEY[CUT_OFF_KEY.index("-----"):
                                             CUT_OFF_KEY.index("\n\nCan")]]),
]


@pytest.mark.parametrize(("text", "values"), [f[1:] for f in FORMATS],
                         ids=[f[0] for f in FORMATS])
def test_each_format_gives_its_secret_values_and_nothing_else(
        text: str, values: list[str]) -> None:
    assert secrets(text) == values


NOT_SECRET = [
    ("a hint about the password", "password_hint: the name of our first dog"),
    ("a count of tokens", "token_count: 5\nmax_tokens: 4096"),
    ("a word that starts with key", "keyboard: logitech\nkeychain: enabled"),
    ("a public key", "PublicKey = xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg="),
    ("an id of a key", '"private_key_id": "8c1f2b7d9e"'),
    ("a type declaration", "def login(password: str, token: Optional[str] = None) -> bool:"),
    ("a variable passed on", "user = authenticate(password=password, token=self.token)"),
    ("a variable named for it", "hashed = bcrypt.hash(password=hashedPassword)"),
    ("a prompt", 'pw = getpass("Password: ")'),
    ("environment references", "password: ${DB_PASSWORD}\ntoken: {{ .Values.token }}\n"
                               "api_key: os.environ['API_KEY']\nsecret: !vault |"),
    ("placeholders", "API_KEY=<your-api-key>\nTOKEN=YOUR_TOKEN_HERE\npassword: xxxxxx"),
    ("words about the password", "The password is required. Your token is expired."),
    ("a sort key", "primary_key = id\nsort_key: created_at"),
    ("a primary key of an environment", "PRIMARY_KEY=customer_id_2024_partition"),
    ("words after password", "Open the password manager and click password reset! Done."),
]


@pytest.mark.parametrize("text", [n[1] for n in NOT_SECRET], ids=[n[0] for n in NOT_SECRET])
def test_names_and_values_that_only_look_secret_are_not(text: str) -> None:
    assert secrets(text) == []
