"""The conversations of the demo matter, independent of any export format.

Each scenario is a function of an invented :class:`people.Person` that returns
a :class:`Chat`; ``make_demo.py`` writes the chats in the shapes of the real
exports. Keys and tokens are fake (they contain EXAMPLE); see people.py for the
ranges the other numbers come from.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

from people import Person


@dataclass(frozen=True)
class Turn:
    role: str  # user | assistant | system | tool
    text: str
    kind: str = "text"  # text | code | execution_output | browse | image | tool_call
    tool: str | None = None


@dataclass
class Chat:
    key: str
    title: str | None
    turns: list[Turn]
    # (index of a user turn, the earlier wording the user edited away): an alternate branch.
    edit: tuple[int, str] | None = None
    # (index of an assistant turn, the reply the user regenerated away).
    regen: tuple[int, str] | None = None
    # (file name, extracted text) of a document the user attached.
    attachment: tuple[str, str] | None = None
    tags: set[str] = field(default_factory=set)


def user(text: str) -> Turn:
    return Turn("user", text)


def bot(text: str) -> Turn:
    return Turn("assistant", text)


def system(text: str) -> Turn:
    return Turn("system", text)


def tool(name: str, text: str, kind: str = "text") -> Turn:
    return Turn("tool", text, kind, name)


def code(text: str) -> Turn:
    return Turn("assistant", text, "code", "python")


# --- tenancy ------------------------------------------------------------------------------------


def lease_dispute(p: Person) -> Chat:
    return Chat("lease-dispute", "Security deposit not returned", [
        user(f"My landlord won't give back my security deposit. I moved out of {p.address_line} "
             "on April 30 and left it spotless. The lease was with Gideon Marchetti-Lowry of "
             "Halvorsen Court Properties. It's been 41 days. What can I do?"),
        bot("I'm sorry you're dealing with this. In most US states a landlord must return the "
            "deposit, or send an itemized list of deductions, within a fixed period after you "
            "move out (often 14 to 30 days). Steps that usually work:\n\n"
            "1. Send a written demand letter by certified mail.\n"
            "2. Cite the state deposit statute and the deadline.\n"
            "3. Give a short deadline (for example 10 days) before you file in small claims.\n\n"
            "Do you want me to draft the letter? If so, tell me the landlord's mailing address "
            "and the deposit amount."),
        user("Yes please. Deposit was $1,850. His office is 600 Granary Street, Suite 4, "
             f"{p.locality}. His email is gideon.ml@example.com and the "
             f"office line is (541) 555-0199. Sign it from me, {p.name}, {p.phone}."),
        bot(f"Here's a draft:\n\n{p.address_block}\n\nGideon Marchetti-Lowry\nHalvorsen Court "
            f"Properties\n600 Granary Street, Suite 4\n{p.locality}\n\n"
            "Re: Return of security deposit ($1,850)\n\nDear Mr. Marchetti-Lowry,\n\nI vacated "
            f"{p.street}, {p.unit} on April 30 and returned all keys. More than 30 days have "
            "passed and I have received neither my deposit nor an itemized statement of "
            "deductions. Please return the full $1,850 within 10 days of this letter, or I will "
            f"file a claim in small claims court.\n\nSincerely,\n{p.name}\n{p.phone}"),
    ], edit=(0, f"landlord keeping my deposit, I lived at {p.address_line}, is that legal"))


def lease_repairs(p: Person) -> Chat:
    return Chat("lease-repairs", "Mold and a broken heater: tenant rights", [
        user(f"I rent a flat at {p.address_line}. There's black mold in the bathroom and the "
             "heater has been broken since November 2. The agent, Philippa Strand at "
             f"{p.employer if p.employer != 'retired' else 'Greyfriars Lettings'}, keeps saying "
             "'next week'. I have a 4 year old. What are my options?"),
        bot("Damp, mould and no heating in winter are serious disrepair issues, and with a young "
            "child in the home they are a health risk. Keep a record: photos with dates, copies "
            "of every message, and a diary of temperatures. Then report it in writing and give "
            "a reasonable deadline. If nothing happens, your local council's environmental "
            "health team can inspect and require the landlord to act."),
        user(f"Can you write the email? Her address is p.strand@example.co.uk. My number is "
             f"{p.phone}."),
        bot(f"Subject: Urgent repairs at {p.street}\n\nDear Ms Strand,\n\nI am writing to report "
            "again, in writing, that the heater has not worked since 2 November and that black "
            "mould is spreading in the bathroom. My four-year-old lives here with me. Please "
            "confirm within 7 days the date a contractor will attend.\n\nKind regards,\n"
            f"{p.name}\n{p.phone}"),
    ])


def lease_translation(p: Person) -> Chat:
    return Chat("lease-translation", "Translate note to landlord into Spanish", [
        user("Translate into Spanish for my landlord Señor Aurelio Bastidas: 'The kitchen sink "
             f"at {p.address_line} has been leaking since Monday. Please call me at {p.phone} "
             "before you come so I can be home.'"),
        bot("Claro. Aquí está la traducción:\n\n'Señor Aurelio Bastidas: El fregadero de la "
            f"cocina en {p.address_line} tiene una fuga desde el lunes. Por favor, llámeme al "
            f"{p.phone} antes de venir para que pueda estar en casa.'"),
    ])


# --- health -------------------------------------------------------------------------------------


def medical_dob(p: Person) -> Chat:
    return Chat("medical-dob", "Thyroid results question", [
        user(f"I'm {p.name}, DOB {p.dob}. My TSH came back 6.8 mIU/L and free T4 was normal. "
             "Dr. Ilse Brannigan at Riverbend Family Clinic wants to recheck in 6 weeks. "
             "Should I be worried?"),
        bot("A TSH of 6.8 with a normal free T4 is usually called subclinical hypothyroidism. "
            "It is common, often temporary, and rechecking in 6 to 8 weeks is the standard "
            "approach before deciding on treatment. Ask whether they will also test thyroid "
            "antibodies (TPO). Symptoms worth mentioning at the follow-up: fatigue, feeling "
            "cold, weight change, dry skin."),
        user("The portal shows MRN 00418829 and my insurance member ID HWX-551-208-77. Can you "
             "tell me what to write in the portal message to ask for the TPO test?"),
        bot("You could write: 'Hello Dr. Brannigan, thank you for reviewing my results. Could "
            "we add a TPO antibody test to the recheck in 6 weeks? I have noticed some fatigue. "
            "Thank you.' You do not need to include your MRN or member ID in the message: the "
            "portal already links it to your record."),
    ], regen=(1, "TSH of 6.8 is slightly high. It could mean your thyroid is underactive. "
              "Your doctor will probably recheck it."))


def medical_parent(p: Person) -> Chat:
    return Chat("medical-parent", "Mum's medication schedule", [
        user(f"My mother Edwina {p.last} is 78 (born 4 January 1946) and was just discharged "
             "from St Aldhelm's Hospital. NHS number 943 476 5919. She takes warfarin 3 mg, "
             "bisoprolol 2.5 mg and atorvastatin 40 mg. Can you make a daily chart?"),
        bot("Here is a simple chart. Please check it against the discharge letter, as doses "
            "and times there take priority.\n\n| Time | Medicine | Dose |\n|---|---|---|\n"
            "| 08:00 | Bisoprolol | 2.5 mg |\n| 18:00 | Warfarin | 3 mg (as per INR clinic) |\n"
            "| 21:00 | Atorvastatin | 40 mg |\n\nWarfarin needs regular INR blood tests; keep "
            "the yellow book with the chart."),
        user(f"Her GP is Dr. Tomasz Wierzbicki, and the INR clinic number is 020 7946 0233. "
             f"Put my number on it too, {p.phone}, in case of emergency."),
        bot(f"Added to the top of the chart:\n\nPatient: Edwina {p.last} (born 04/01/1946)\n"
            "GP: Dr. Tomasz Wierzbicki\nINR clinic: 020 7946 0233\nEmergency contact: "
            f"{p.name}, {p.phone}"),
    ])


def medical_insurance(p: Person) -> Chat:
    return Chat("medical-insurance", "Appeal a denied MRI claim", [
        user(f"My insurer denied my lumbar MRI. Claim number CLM-2024-0887312, policy holder "
             f"{p.name}, born {p.dob}, group number 77410-B. The ordering doctor was Dr. "
             "Rosalind Achebe-Forde. Help me write an appeal."),
        bot(f"Appeal letter draft:\n\nRe: Claim CLM-2024-0887312, {p.name} (DOB {p.dob}), "
            "group 77410-B\n\nI am requesting an internal review of the denial of my lumbar "
            "MRI. Dr. Rosalind Achebe-Forde ordered it after six weeks of conservative "
            "treatment failed, with numbness in my left leg. Enclosed are her notes and the "
            "physiotherapy records. Please reconsider under the medical necessity criteria."),
    ])


def therapy_journal(p: Person) -> Chat:
    return Chat("therapy-journal", None, [
        user(f"I want to journal before my session with my counselor, Noor Halvardsen, on "
             "Thursday. My brother Caspian keeps calling me at work at "
             f"{p.employer} and I had a panic attack on the train on Tuesday. I'm {p.first}, "
             "I'm 34. Can you give me prompts?"),
        bot("That sounds like a hard week. A few prompts you could use:\n\n1. What happened "
            "right before the panic attack on Tuesday, and what helped it pass?\n2. When "
            "Caspian calls you at work, what do you feel first?\n3. What boundary would you "
            "like to set with him, and what makes it hard?\n4. What do you want Noor to know "
            "first on Thursday?"),
    ])


# --- work and money -----------------------------------------------------------------------------


def payroll(p: Person) -> Chat:
    return Chat("payroll", "Missing overtime on payslip", [
        user(f"Hi, I work at {p.employer}, employee ID E-40817. My March payslip is missing "
             "11.5 hours of overtime. Pay goes to account number "
             f"{p.account}, routing 000111222. Who should I email and what should I say?"),
        bot("Payroll errors are usually fixed quickly once you give them the facts. Email "
            "your payroll or HR contact with: the pay period, the hours you worked, the hours "
            "paid, and a copy of your timesheet. You don't need to include your bank details "
            "unless they ask; they already have them."),
        user("The HR person is Corinne Tallis, corinne.tallis@example.com. My SSN is "
             f"{p.ssn} if that matters for the form."),
        bot(f"Subject: Overtime missing from March payslip (employee E-40817)\n\nHi Corinne,\n\n"
            "My March payslip shows no overtime, but my approved timesheet has 11.5 hours "
            "(attached). Could you correct this in the next pay run?\n\nThanks,\n"
            f"{p.name}\n\nTip: don't put your Social Security number in an email; if the form "
            "needs it, fill it in on the secure HR portal."),
    ])


def termination_letter(p: Person) -> Chat:
    return Chat("termination-letter", "Draft a separation letter", [
        system("You are an HR writing assistant for Kestrel Freight Systems. Be factual and "
               "neutral. The HR director is Maribel Osterhout (m.osterhout@example.com)."),
        user(f"Draft a separation letter for {p.name}, employee #KF-22871, last day Friday "
             "June 14. Final pay including 6.5 days of unused PTO goes to the account on file "
             f"ending {p.account[-4:]}. COBRA info to be mailed to {p.address_line}."),
        bot(f"Dear {p.name},\n\nThis letter confirms that your employment with Kestrel Freight "
            "Systems ends on Friday, June 14. Your final paycheck, including 6.5 days of "
            f"unused paid time off, will be deposited to your account ending {p.account[-4:]} "
            "on the next regular pay date. Information about continuing your health coverage "
            f"(COBRA) will be mailed to {p.address_line}.\n\nSincerely,\nMaribel Osterhout\n"
            "HR Director"),
    ])


def tax_question(p: Person) -> Chat:
    return Chat("tax-question", "W-2 box 12 and an ITIN for my spouse", [
        user(f"Filing jointly this year. My SSN is {p.ssn}; my wife Lorena doesn't have one, "
             "she has ITIN 900-78-4412. My W-2 from "
             f"{p.employer} (EIN 84-2213907) shows code DD in box 12. Do we owe tax on that?"),
        bot("Code DD in box 12 is the cost of employer-sponsored health coverage. It's "
            "reported for information only and is not taxable income. Filing jointly with a "
            "spouse who has an ITIN is fine: enter the ITIN wherever the form asks for her "
            "SSN."),
    ])


def bank_fraud(p: Person) -> Chat:
    return Chat("bank-fraud", "Disputing card charges", [
        user("Three charges I didn't make on my Visa 4111 1111 1111 1111, exp 09/27: $412.88 "
             "at VOLTMART ONLINE, $89.00 and $89.00 at STREAMPLUS. My bank is Lakes Region "
             f"Credit Union, member number {p.account}. What do I do first?"),
        bot("First, lock or cancel the card (app or phone), then dispute the charges. "
            "Reporting quickly limits your liability. When you call, have the dates and "
            "amounts ready. Ask for a new card number. Don't share the full card number in "
            "chats or email."),
        user(f"Also my IBAN for the transfer refund is {iban(p)}. "
             f"Call me on {p.phone} if you need anything (I know you can't, just noting it)."),
        bot("Noted. For a refund by transfer, give the IBAN only to the bank through its "
            "secure channel, never in reply to an email or text."),
    ])


def iban(p: Person) -> str:
    """The person's IBAN, or the published example one for US accounts."""
    return p.account if p.account[:2].isalpha() else "GB82 WEST 1234 5698 7654 32"


def crypto_wallet(p: Person) -> Chat:
    return Chat("crypto-wallet", "Did I send BTC to the wrong address?", [
        user("I sent 0.042 BTC to 1BoatSLRHtKNngkdXEeobR76b53LETtpyT but the exchange says the "
             f"deposit address for my account ({p.email}) is different. Can I get it back?"),
        bot("Bitcoin transactions can't be reversed. If the address belongs to the exchange "
            "(an old deposit address for your account), support can often credit it: send "
            "them the transaction ID. If it belongs to someone else, the only way is to ask "
            "the owner."),
    ])


# --- travel -------------------------------------------------------------------------------------


def travel_rebook(p: Person) -> Chat:
    return Chat("travel-rebook", "Rebook cancelled flight to Lisbon", [
        user(f"My flight AZT 3318 to Lisbon on 12 October was cancelled. Booking reference "
             f"QX7T4M, passenger {p.name}, passport {p.passport}, date of birth {p.dob}. Can "
             "you find me alternatives for the same day?"),
        tool("browser", "Search results for 'flights to Lisbon 12 October':\n1. Azulejo Air "
             "AZT 3324 dep 14:35 arr 17:50, seats available\n2. Meridian Wings MW 112 dep 19:10 "
             "arr 22:40, 3 seats left", "browse"),
        bot("Two options on 12 October:\n\n1. AZT 3324, departs 14:35, arrives 17:50, same "
            "airline, so they should rebook you at no cost.\n2. MW 112, departs 19:10.\n\n"
            "Call the airline with booking reference QX7T4M and ask for AZT 3324."),
        user(f"They want a callback number, it's {p.phone}, and an email, {p.email}."),
        bot("Give those to the agent on the call; I can't contact the airline for you. Ask "
            "them to send the new itinerary by email."),
    ])


def travel_visa(p: Person) -> Chat:
    return Chat("travel-visa", "Visa application form help", [
        user(f"Filling in a visa form. Name {p.name}, passport number {p.passport}, issued "
             f"14/02/2021, expires 13/02/2031. Home address {p.address_line}. Employer "
             f"{p.employer}. What do I put under 'purpose of visit' for a conference?"),
        bot("Choose 'Business' (or 'Conference/Seminar' if offered). Attach the conference "
            "invitation letter and, if asked, a letter from your employer confirming your "
            "role and that they cover the costs."),
    ])


def travel_hotel(p: Person) -> Chat:
    return Chat("travel-hotel", "Hotel complaint email", [
        user(f"Write a complaint to the Hotel Marisma, reservation 58821940, guest {p.name}. "
             "Room 412 had no hot water for 3 nights (2-5 May). I paid with Mastercard "
             f"5555 5555 5555 4444. Reply to {p.email} or {p.phone}."),
        bot("Subject: Reservation 58821940: no hot water 2-5 May\n\nDear Guest Relations,\n\n"
            "During my stay in room 412 from 2 to 5 May there was no hot water for three "
            "nights despite reports to the front desk each evening. I request a partial refund "
            "to the card used for payment.\n\nYou can reach me at "
            f"{p.email} or {p.phone}.\n\nRegards,\n{p.name}"),
    ])


# --- code help ----------------------------------------------------------------------------------


OPENAI_KEY = "sk-proj-EXAMPLEq7Vd2kLmN9pXrT4wYz0aBcDeFgHiJkLmNoPqRsTuVwXyZ012345EXAMPLE"
ANTHROPIC_KEY = "sk-ant-api03-EXAMPLE_r8Tq2VnWx4Yz6Ab8Cd0Ef2Gh4Ij6Kl8Mn0Op2Qr4St6Uv8WxEXAMPLE-AA"
AWS_ACCESS = "AKIAIOSFODNN7EXAMPLE"
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
GITHUB_TOKEN = "ghp_EXAMPLE1a2B3c4D5e6F7g8H9i0J1k2L3m4N5"
SLACK_TOKEN = "xoxb-000000000000-000000000000-EXAMPLEa1b2c3d4e5f6g7h8"
STRIPE_KEY = "sk_test_EXAMPLE51Hq2Lm3Nn4Op5Qr6St7Uv8Wx9Yz"
GOOGLE_KEY = "AIzaSyEXAMPLE-a1B2c3D4e5F6g7H8i9J0kLmNo"
JWT = ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
       "eyJzdWIiOiJFWEFNUExFLTQ0MTciLCJlbWFpbCI6Im1hcmlzb2wucXVlbmJ5QGV4YW1wbGUuY29tIiwi"
       "bmFtZSI6Ik1hcmlzb2wgUXVlbmJ5IiwiaWF0IjoxNzE1MDAwMDAwfQ."
       "EXAMPLEsignatureEXAMPLEsignatureEXAMPLE00")
PRIVATE_KEY = ("-----BEGIN OPENSSH PRIVATE KEY-----\n"
               "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n"
               "QyNTUxOQAAACEXAMPLEEXAMPLEEXAMPLEEXAMPLEEXAMPLEEXAMPLEEXAMPLEEXAMPLE\n"
               "AAAAEXAMPLEONLYNOTAREALKEYEXAMPLEONLYNOTAREALKEYEXAMPLEONLYAAAAAAAA==\n"
               "-----END OPENSSH PRIVATE KEY-----")


def code_openai_key(p: Person) -> Chat:
    trace = (
        "Traceback (most recent call last):\n"
        f'  File "/Users/{p.username}/projects/summarizer/app.py", line 42, in <module>\n'
        "    client = OpenAI(api_key=os.environ[\"OPENAI_API_KEY\"])\n"
        f'  File "/Users/{p.username}/projects/summarizer/.venv/lib/python3.12/site-packages/'
        'openai/_client.py", line 105, in __init__\n'
        "    raise OpenAIError(\n"
        "openai.AuthenticationError: Error code: 401 - {'error': {'message': 'Incorrect API "
        f"key provided: {OPENAI_KEY[:12]}****{OPENAI_KEY[-4:]}', "
        "'type': 'invalid_request_error'}}"
    )
    return Chat("code-openai-key", "401 from OpenAI client", [
        user(f"Getting this, my .env has\n\nOPENAI_API_KEY={OPENAI_KEY}\n"
             f"ANTHROPIC_API_KEY={ANTHROPIC_KEY}\n\n{trace}"),
        bot("The 401 means the key the client sends is rejected. Common causes: the key was "
            "revoked, it has a trailing newline or quotes in .env, or a different variable "
            "overrides it in your shell. You also just pasted the full key here: revoke it in "
            "the dashboard and create a new one. Let's check what the process actually sees:"),
        code("import os\nkey = os.environ.get('OPENAI_API_KEY', '')\n"
             "print(len(key), repr(key[-3:]))"),
        tool("python", "63 'E\\n'", "execution_output"),
        bot("The value ends with a newline. Strip it when you load .env, or remove the line "
            "break in the file, then rotate the key."),
    ], regen=(1, "Looks like an invalid key. Check your .env file."))


def code_aws(p: Person) -> Chat:
    creds = (f"[default]\naws_access_key_id = {AWS_ACCESS}\naws_secret_access_key = {AWS_SECRET}\n"
             "region = us-west-2\n\n[deploy]\nrole_arn = arn:aws:iam::123456789012:role/deployer\n"
             "source_profile = default\n")
    return Chat("code-aws", "boto3 can't find credentials on Windows", [
        user(f"boto3 says NoCredentialsError on my Windows laptop. The file is at "
             f"C:\\Users\\{p.username}\\.aws\\credentials, attached. Running from "
             f"C:\\Users\\{p.username}\\Documents\\invoice-sync\\sync.py"),
        bot("Your credentials file looks well-formed, so boto3 is probably looking in a "
            "different home folder. If the script runs as a scheduled task or service, it runs "
            "as another user. Set AWS_SHARED_CREDENTIALS_FILE to the full path, or better, use "
            "a role. Also: this file contains a live-looking secret key; rotate it, since it "
            "has now been shared."),
    ], attachment=("credentials", creds))


def code_github(p: Person) -> Chat:
    return Chat("code-github", "git push rejected", [
        user(f"git push fails:\n\n$ git push origin main\nremote: Invalid username or token.\n"
             f"fatal: Authentication failed for 'https://{p.handle}:{GITHUB_TOKEN}@github.com/"
             f"{p.handle}/budget-tracker.git/'\n\nI'm on /home/{p.username}/code/budget-tracker"),
        bot("The remote URL has a token embedded in it, and it is being rejected (expired or "
            "revoked). Remove it from the URL and use a credential helper instead:\n\n"
            f"git remote set-url origin https://github.com/{p.handle}/budget-tracker.git\n"
            "gh auth login\n\nThen revoke that token in GitHub settings, since it appeared "
            "in plain text."),
    ])


def code_compose(p: Person) -> Chat:
    compose = (
        "services:\n  db:\n    image: postgres:16\n    environment:\n"
        "      POSTGRES_USER: invoices\n      POSTGRES_PASSWORD: EXAMPLE-Tr0ub4dor&3\n"
        "  app:\n    build: .\n    environment:\n"
        "      DATABASE_URL: postgresql://invoices:EXAMPLE-Tr0ub4dor&3@db:5432/invoices\n"
        f"      STRIPE_SECRET_KEY: {STRIPE_KEY}\n      SLACK_BOT_TOKEN: {SLACK_TOKEN}\n"
        f"      GOOGLE_MAPS_API_KEY: {GOOGLE_KEY}\n      ADMIN_EMAIL: {p.email}\n"
    )
    return Chat("code-compose", "docker compose: app can't reach db", [
        user(f"My app container says 'connection refused' to postgres. compose file:\n\n{compose}"),
        bot("The app starts before Postgres accepts connections. Add a healthcheck to db and "
            "`depends_on: db: condition: service_healthy` to app. Separately: move the password "
            "and the Stripe and Slack tokens out of the compose file into an .env file that is "
            "not committed."),
    ])


def code_jwt(p: Person) -> Chat:
    return Chat("code-jwt", "Why is this JWT rejected?", [
        user(f"Our API returns 401 for this token, what's wrong?\n\nAuthorization: Bearer {JWT}\n\n"
             f"Server log: 2024-05-06T09:14:22Z WARN auth rejected token for user {p.email} "
             "from 203.0.113.47: signature mismatch"),
        bot("The payload decodes fine (sub, email, name, iat), but the server reports a "
            "signature mismatch: the token was signed with a different secret than the one "
            "the API verifies with. Check that both services read the same JWT_SECRET, and "
            "that no one rotated it. Note the token carries the user's name and email in "
            "clear text; JWT payloads are encoded, not encrypted."),
    ])


def code_ssh(p: Person) -> Chat:
    return Chat("code-ssh", "Permission denied (publickey)", [
        user(f"ssh deploy@198.51.100.23 gives 'Permission denied (publickey)'. This is my key, "
             f"is it the right format?\n\n{PRIVATE_KEY}\n\n"
             f"It's in /home/{p.username}/.ssh/id_ed25519"),
        bot("Please don't paste private keys anywhere: treat this one as compromised, generate "
            "a new pair with `ssh-keygen -t ed25519`, and put the new public key in the "
            "server's ~/.ssh/authorized_keys. The format you pasted is a valid OpenSSH key. "
            "The usual cause of this error is file permissions: `chmod 600 ~/.ssh/id_ed25519`."),
    ])


def code_dataframe(p: Person) -> Chat:
    return Chat("code-dataframe", "Dedupe customer list", [
        user("I have a customer list with duplicates, can you dedupe by email "
             "(case-insensitive)?\n\n"
             f"name,email,phone\n{p.name},{p.email},{p.phone}\n{p.first.upper()} {p.last},"
             f"{p.email.upper()},{p.phone}\nWillemina Crabtree,w.crabtree@example.org,"
             "(515) 555-0110\nOsric Penhallow,osric.p@example.net,(515) 555-0161"),
        code("import io, pandas as pd\ndf = pd.read_csv(io.StringIO(data))\n"
             "df['key'] = df['email'].str.lower()\n"
             "out = df.drop_duplicates('key').drop(columns='key')\n"
             "print(out.to_string(index=False))"),
        tool("python", f"              name                       email          phone\n"
             f"{p.name:>18} {p.email:>27} {p.phone}\nWillemina Crabtree  w.crabtree@example.org "
             "(515) 555-0110\n   Osric Penhallow     osric.p@example.net (515) 555-0161",
             "execution_output"),
        bot("Done: 3 unique customers remain. The duplicate was the upper-case copy of "
            f"{p.name}'s row."),
    ])


def code_wireguard(p: Person) -> Chat:
    return Chat("code-wireguard", "WireGuard handshake never completes", [
        user("wg0.conf on my laptop:\n\n[Interface]\n"
             "PrivateKey = EXAMPLEyAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=\n"
             "Address = 10.8.0.2/24, fd86:ea04:1115::2/64\nDNS = 10.8.0.1\n\n[Peer]\n"
             "PublicKey = EXAMPLExTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=\n"
             "Endpoint = 203.0.113.88:51820\nAllowedIPs = 0.0.0.0/0, ::/0\n\n"
             "Server's public IPv6 is 2001:db8:4f1c::17. Handshake never happens."),
        bot("Check in this order: 1) UDP 51820 is open on the server firewall and forwarded "
            "by the router to 203.0.113.88's host; 2) the server's [Peer] entry for you has "
            "your laptop's public key and AllowedIPs = 10.8.0.2/32; 3) run `wg show` on both "
            "ends: 'latest handshake' tells you which side is silent. And regenerate the "
            "private key, since you've now shared it."),
    ])


# --- networking ---------------------------------------------------------------------------------


def home_network(p: Person) -> Chat:
    return Chat("home-network", "Printer keeps dropping off Wi-Fi", [
        user("Our printer keeps disappearing. Router is at 192.168.1.1 (admin password is "
             "EXAMPLE-hunter2, I know). Printer MAC 00:1A:2B:3C:4D:5E got 192.168.1.37 "
             "yesterday and 192.168.1.52 today. My laptop is "
             f"{p.first.lower()}-laptop, MAC A4:83:E7:0C:19:F2."),
        bot("The printer is getting a new address from DHCP, so the laptop looks for it in "
            "the wrong place. Give it a DHCP reservation: in the router's LAN settings, bind "
            "MAC 00:1A:2B:3C:4D:5E to a fixed address such as 192.168.1.200. Then re-add the "
            "printer on the laptop. (And change that router password.)"),
        user(f"ISP support wants my account number, it's {p.account}, and the public IP the "
             "router shows is 198.51.100.204. Line is registered to "
             f"{p.name} at {p.address_line}."),
        bot("Those are for the ISP only; you don't need them for the reservation. If the "
            "printer still drops after the reservation, ask the ISP whether the router's "
            "firmware is current."),
    ])


def office_vlan(p: Person) -> Chat:
    return Chat("office-vlan", "Cisco switch VLAN config review", [
        user("Review this before I apply it:\n\ninterface GigabitEthernet0/12\n description "
             f"{p.first}'s desk ({p.name})\n switchport mode access\n switchport access vlan 40\n"
             "!\ninterface Vlan40\n ip address 10.40.0.1 255.255.255.0\n ip helper-address "
             "10.0.0.5\n!\nusername netadmin secret 0 EXAMPLE-S3cretSw1tch!\n\nMAC on that "
             "port: 3c:22:fb:9a:10:07"),
        bot("The VLAN part is fine. Two fixes: use `secret 9` (scrypt) instead of type 0 so "
            "the password isn't stored in clear text, and drop the person's name from the "
            "interface description in favour of a room or port label: descriptions end up in "
            "monitoring tools and backups."),
    ])


# --- support ------------------------------------------------------------------------------------


def support_refund(p: Person) -> Chat:
    return Chat("support-refund", "Refund for damaged blender", [
        user(f"Hi, order #BL-558213 arrived broken. Name on the order {p.name}, shipped to "
             f"{p.address_line}."),
        bot("I'm sorry it arrived damaged. I've opened a return for order BL-558213. A "
            "prepaid label will be emailed to you. Which email should we use?"),
        user(f"{p.email} please, and refund to the card ending 1111."),
        bot(f"Done. The label is on its way to {p.email}, and the refund will go to the card "
            "ending 1111 within 5 business days of the return scan."),
    ])


def support_locked(p: Person) -> Chat:
    return Chat("support-locked", "Locked out of my account", [
        user(f"I'm locked out after too many tries. Username {p.handle}, recovery phone "
             f"{p.phone}, date of birth {p.dob}."),
        bot("Thanks. For your security we'll send a one-time code to the recovery phone "
            "ending in its last two digits. Please enter it on the sign-in page."),
        user("Got it, I'm in. Can you also change my email to "
             f"{p.first.lower()}.{p.last.lower().replace(' ', '')}.home@example.com?"),
        bot("You can change it yourself under Settings > Account > Email; we'll send a "
            "confirmation link to both the old and the new address."),
    ])


def support_outage(p: Person) -> Chat:
    return Chat("support-outage", "Internet down since last night", [
        user(f"Internet has been down since 11pm. Account {p.account}, service address "
             f"{p.address_line}. Modem lights: power on, DS blinking."),
        bot("A blinking DS light means the modem can't lock onto the downstream signal. "
            "There's a reported outage in your area affecting about 300 customers; the "
            "estimated fix is 2pm today. Would you like a text when it's resolved?"),
        user(f"Yes, text {p.phone}."),
        bot("Done. We'll text you when service is restored, and a credit for the outage "
            "will appear on your next bill."),
    ])


def support_warranty(p: Person) -> Chat:
    return Chat("support-warranty", "Warranty claim for e-bike battery", [
        user(f"My e-bike battery (serial EB48-2207-99131) stopped charging. Bought March 2023 "
             f"from Cascade Bicycle Cooperative. {p.name}, {p.email}."),
        bot("The battery is covered for two years. Please send a photo of the serial label "
            "and the receipt. We'll ship a replacement to the address on your order."),
    ])


# --- people and social --------------------------------------------------------------------------


def social_bio(p: Person) -> Chat:
    return Chat("social-bio", "Rewrite my bio for all platforms", [
        user(f"Rewrite this bio shorter: 'I'm {p.name}, ceramicist and teacher in {p.city}. "
             f"Follow me @{p.handle} on Instagram (https://www.instagram.com/{p.handle}/), "
             f"https://x.com/{p.handle}, and https://www.linkedin.com/in/{p.handle}-4b1a2c. "
             f"Commissions: {p.email}.'"),
        bot(f"{p.first} {p.last}: ceramicist and teacher in {p.city}. Commissions "
            f"{p.email}. Instagram and X: @{p.handle}."),
    ])


def harassment_log(p: Person) -> Chat:
    return Chat("harassment-log", "Documenting online harassment", [
        user("I need to document harassment for a police report. The account @gr1mwald_watch "
             "(https://x.com/gr1mwald_watch) has posted my home address "
             f"({p.address_line}) and my number {p.phone} three times since May 2. A second "
             "account, https://www.facebook.com/lorcan.threlkeld.9, shares them. Make a "
             "timeline template."),
        bot("Timeline template:\n\n| Date/time | Platform | Account | What was posted | "
            "Screenshot file | Reported? |\n|---|---|---|---|---|---|\n| 2 May, 21:14 | X | "
            "@gr1mwald_watch | Home address and phone | shot-0502.png | Yes |\n\nKeep the "
            "original URLs, take screenshots that show the date, and ask the platforms to "
            "remove posts that share your address (doxxing is against their rules)."),
    ])


def obfuscated_email(p: Person) -> Chat:
    local = p.email.split("@", 1)[0].replace(".", " dot ")
    return Chat("obfuscated-email", "Forum post asking for a used kayak", [
        user("Make this forum post friendlier: 'WTB used sit-on-top kayak under $400 in "
             f"{p.city}. Email me: {local} at example dot com, or text "
             f"{p.phone.replace('-', ' ')}. No scammers.'"),
        bot(f"Looking for a used sit-on-top kayak around {p.city}, budget up to $400! If you "
            f"have one to sell, drop me a line at {local} at example dot com or send a text. "
            "Thanks!"),
    ])


def cover_letter(p: Person) -> Chat:
    return Chat("cover-letter", "Cover letter for a data analyst role", [
        user(f"Write a cover letter header and opening. {p.name}, {p.address_line}, "
             f"{p.phone}, {p.email}, linkedin.com/in/{p.handle}, github.com/{p.handle}. "
             f"Applying to Orchard Row Insurance, hiring manager Ms. Delphine Akinwande."),
        bot(f"{p.address_block}\n{p.phone} | {p.email}\nlinkedin.com/in/{p.handle} | "
            f"github.com/{p.handle}\n\nDear Ms. Akinwande,\n\nI am applying for the Data "
            "Analyst position at Orchard Row Insurance. In my current role at "
            f"{p.employer}, I built the claims dashboards that cut reporting time in half."),
    ])


def wedding_guests(p: Person) -> Chat:
    return Chat("wedding-guests", "Sort wedding guest addresses", [
        user("Sort these invitation addresses by state:\n\nAuntie Perpetua Gallardo, 71 "
             "Sorrel Creek Rd, Tumbleweed Gap, AZ 85931\nIsidore and Fenella Quarrington, "
             f"4 Harbor Bell Lane, Mystic Shoals, CT 06398\n{p.name}, {p.address_line}\n"
             "Ottoline Brisbane-Keyes, 1180 Juniper Loop Apt 2, Sable Ridge, AZ 85628"),
        bot("By state:\n\nAZ\n- Auntie Perpetua Gallardo, 71 Sorrel Creek Rd, Tumbleweed Gap, "
            "AZ 85931\n- Ottoline Brisbane-Keyes, 1180 Juniper Loop Apt 2, Sable Ridge, AZ "
            f"85628\n\nCT\n- Isidore and Fenella Quarrington, 4 Harbor Bell Lane, Mystic "
            f"Shoals, CT 06398\n\n{p.region or p.city}\n- {p.name}, {p.address_line}"),
    ])


def school_email(p: Person) -> Chat:
    return Chat("school-email", "Email to my son's teacher", [
        user(f"Help me email Mr. Halloran about my son Ezekiel {p.last} (age 9, 4th grade, "
             "Birchwood Elementary). He has an IEP for dyslexia and the reading test on Friday "
             f"needs extra time. My cell is {p.phone}."),
        bot(f"Subject: Reading test accommodations for Ezekiel {p.last}\n\nDear Mr. Halloran,\n\n"
            f"Ezekiel's IEP provides extended time on reading assessments. Could you confirm "
            "he will have extra time for Friday's test? I'm happy to talk; my cell is "
            f"{p.phone}.\n\nThank you,\n{p.name}"),
    ])


def car_accident(p: Person) -> Chat:
    return Chat("car-accident", "Insurance claim after a fender bender", [
        user(f"Rear-ended at a light on 14 March. Other driver: Hollis Pennycook, licence "
             "D7740215, plate 8KTR-442, insurer Granite Mutual policy GM-33019874. My policy "
             f"is AQ-4470-11823, I'm {p.name}, {p.phone}. Summarise this for my claim."),
        bot(f"Claim summary\n\nPolicy holder: {p.name} ({p.phone}), policy AQ-4470-11823\n"
            "Date: 14 March\nIncident: my vehicle was rear-ended while stopped at a red light.\n"
            "Other driver: Hollis Pennycook, driver's licence D7740215, plate 8KTR-442, "
            "insured by Granite Mutual (policy GM-33019874).\n\nAdd photos, the police report "
            "number if there is one, and any witness details."),
    ])


def receipt_image(p: Person) -> Chat:
    return Chat("receipt-image", "Expense report from a receipt photo", [
        Turn("user", "Can you read this receipt and fill in my expense line? Card holder "
             f"{p.name}, cost centre 4410.", "image"),
        bot("From the receipt: Quillon Bistro, 18 April, total $86.40 including tip, paid by "
            "Visa ending 4242. Expense line: 18 Apr | Client dinner | Quillon Bistro | $86.40 "
            "| cost centre 4410."),
    ])


# --- already redacted and evasions --------------------------------------------------------------


def pre_redacted(p: Person) -> Chat:
    return Chat("pre-redacted", "Summarise a redacted call transcript", [
        user("Summarise this call transcript from our vendor (they redacted some of it):\n\n"
             "AGENT: Thanks for calling, this is <PERSON_1>. Can I have your email?\n"
             "CALLER: It's {{EMAIL}}. My name is [REDACTED], account ████████.\n"
             f"CALLER: Actually use my work one, {p.email}, and my cell {p.phone}.\n"
             "AGENT: Got it. I'll send the form to <PERSON_2> at [REDACTED] as well.\n"
             "CALLER: My card is ****-****-****-4242."),
        bot("Summary: the caller asked to update contact details. The agent (name redacted) "
            "took a work email and mobile number and will send a form to a second person. "
            "Note that the transcript still contains an unredacted email address and phone "
            "number in the third line."),
    ])


def evasion_email(p: Person) -> Chat:
    local, domain = p.email.split("@", 1)
    hidden = f"{local[:3]}\u200b{local[3:]}@{domain}"
    wide = f"{local}＠{domain}"
    return Chat("evasion-email", "Newsletter sign-up list cleanup", [
        user(f"Clean this list, some emails look odd:\n{hidden}\n{wide}\n"
             "ѕandor.kettleby@example.org\ncalla.brightmoor@example.net\n"
             "Their names: Tob\u00adiah Wrenfield, Sandor Kettleby, Calla Brightmoor"),
        bot("Cleaned list:\n"
            f"{p.email}\nsandor.kettleby@example.org\ncalla.brightmoor@example.net\n\nThe first "
            "contained an invisible zero-width space, the second a fullwidth @, and the third "
            "starts with a Cyrillic 's'. Those would bounce or be flagged as spoofing."),
    ])


# --- tools --------------------------------------------------------------------------------------


def crm_lookup(p: Person) -> Chat:
    return Chat("crm-lookup", "Support agent with CRM tool", [
        system("You are the support assistant for Lumen Loop Software. Use lookup_customer "
               "before answering account questions. Escalations: Bram Oostveen, "
               "bram.oostveen@example.com, ext. 4471."),
        user(f"Hi, this is {p.name}. Why was I charged twice this month? My email is {p.email}."),
        Turn("assistant", json.dumps({"email": p.email}), "tool_call", "lookup_customer"),
        tool("lookup_customer", f'{{"customer_id": "C-882104", "name": "{p.name}", '
             f'"email": "{p.email}", "phone": "{p.phone}", "plan": "Team", '
             '"last_invoices": ["INV-20931 $49.00", "INV-20932 $49.00"]}'),
        bot(f"Thanks, {p.first}. I can see two invoices for $49.00 this month: INV-20931 and "
            "INV-20932. The second one is a duplicate; I've flagged it for a refund."),
    ])


def calendar_invite(p: Person) -> Chat:
    return Chat("calendar-invite", "Book a meeting with the landlord's lawyer", [
        user(f"Set up a 30 min call Tuesday 10am with Anneliese Goudkamp "
             "(a.goudkamp@example.org) and me, and add my phone "
             f"{p.phone} to the description."),
        Turn("assistant", json.dumps({
            "title": "Call with Anneliese Goudkamp", "start": "2024-06-11T10:00:00",
            "duration_minutes": 30, "attendees": ["a.goudkamp@example.org", p.email],
            "description": f"Dial-in: call {p.name} on {p.phone}"}), "tool_call", "create_event"),
        tool("create_event", '{"status": "created", "event_id": "evt_EXAMPLE_5521"}'),
        bot("Booked: Tuesday 10:00 to 10:30 with Anneliese Goudkamp. The invite includes your "
            "phone number in the description."),
    ])


def recipe(p: Person) -> Chat:
    return Chat("recipe", "Weeknight dal", [
        user("Quick red lentil dal for 4, I have coconut milk and spinach."),
        bot("Rinse 250 g red lentils. Soften an onion, 3 garlic cloves and ginger in oil, "
            "add 1 tsp each cumin, turmeric and garam masala, then the lentils, a tin of "
            "coconut milk and 600 ml water. Simmer 20 minutes, stir in spinach and lemon."),
    ])


def gardening(p: Person) -> Chat:
    return Chat("gardening", "Tomatoes splitting", [
        user("Why are my tomatoes splitting? It rained a lot after a dry week."),
        bot("Uneven watering: after a dry spell the fruit takes up water faster than the "
            "skin can stretch. Water deeply and regularly, and mulch to keep moisture even."),
    ])


def prompt_system_contacts(p: Person) -> Chat:
    return Chat("system-contacts", "Clinic receptionist bot", [
        system("You are the receptionist for Terracotta Health Partners, 615 Magnolia Terrace, "
               "East Pellham, GA 30388. On-call nurse: Yvaine Oduya, (404) 555-0170. Never give "
               "out the on-call number to patients."),
        user(f"I need to move my appointment on the 14th. {p.name}, born {p.dob}."),
        bot(f"Thanks, {p.first}. I can offer the 16th at 9:20 or the 17th at 15:40. Which "
            "works better?"),
        user("The 17th. And can I have the nurse's number?"),
        bot("You're booked for the 17th at 15:40. I can't share the on-call number, but if "
            "you need clinical advice now I can ask the nurse to call you back."),
    ])


Scenario = Callable[[Person], Chat]

ALL: tuple[Scenario, ...] = (
    lease_dispute, lease_repairs, lease_translation, medical_dob, medical_parent,
    medical_insurance, therapy_journal, payroll, termination_letter, tax_question, bank_fraud,
    crypto_wallet, travel_rebook, travel_visa, travel_hotel, code_openai_key, code_aws,
    code_github, code_compose, code_jwt, code_ssh, code_dataframe, code_wireguard, home_network,
    office_vlan, support_refund, support_locked, support_outage, support_warranty, social_bio,
    harassment_log, obfuscated_email, cover_letter, wedding_guests, school_email, car_accident,
    receipt_image, pre_redacted, evasion_email, crm_lookup, calendar_invite, recipe, gardening,
    prompt_system_contacts,
)
