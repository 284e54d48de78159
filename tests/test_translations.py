"""The built-in maps' translations (issue 15): complete, in the right script, with the figures.

The files are read directly (GeoJSON ``name:xx``/``title:xx``/``caption:xx`` properties and the
``[lang.xx]`` tables of ``map.toml``), independently of the code that loads them.
"""

import json
import re
import tomllib

import pytest
from conftest import DATA

# Each built-in map and the languages it must have complete.
LANGUAGES = {"korean_war": ("fr", "ko"), "soviet_view_1951": ("fr", "ko")}
CASES = [(m, lang) for m, langs in LANGUAGES.items() for lang in langs]

HANGUL = re.compile(r"[\uac00-\ud7a3]")
LATIN = re.compile(r"[A-Za-z]")
# Distances the English gives in miles are given in kilometres in the translations.
IN_KM = {"pusan-perimeter": {90.0, 60.0}, "pyongyang-abandoned": {120.0}}


def features(map_name: str, kind: str) -> list[dict]:
    doc = json.loads((DATA / map_name / f"{kind}.geojson").read_text(encoding="utf-8"))
    return [f["properties"] for f in doc["features"]]


def map_toml(map_name: str) -> dict:
    return tomllib.loads((DATA / map_name / "map.toml").read_text(encoding="utf-8"))


def texts(map_name: str, lang: str) -> list[str]:
    """Every translated text of a map in one language."""
    out = [p[f"name:{lang}"] for p in features(map_name, "places")]
    for p in features(map_name, "events"):
        out += [p[f"title:{lang}"], p[f"caption:{lang}"]]
    table = map_toml(map_name)["lang"][lang]
    out += [table[k] for k in ("title", "subtitle", "short_title", "credits")]
    for sub in ("sides", "phases", "reference_lines"):
        out += list(table.get(sub, {}).values())
    for page in table["pages"].values():
        out += list(page.values())
    return out


def numbers(text: str, lang: str = "en") -> set[float]:
    """The figures of a text, however its language writes them (105,000, 105 000, 10만 5천)."""
    if lang == "ko":
        text = re.sub(
            r"(\d+)만(?: ?(\d+)천| ?([\d,]+))?",
            lambda m: str(
                int(m[1]) * 10000 + int(m[2] or 0) * 1000 + int((m[3] or "0").replace(",", ""))
            ),
            text,
        )
    text = re.sub(r"(?<=\d)[,\u00a0\u202f](?=\d{3}(?!\d))", "", text)  # thousands separators
    text = re.sub(r"(?<=\d),(?=\d)", ".", text)  # French decimal comma
    text = re.sub(r"(\d+(?:\.\d+)?) millions?", lambda m: str(round(float(m[1]) * 1e6)), text)
    return {float(n) for n in re.findall(r"\d+(?:\.\d+)?", text)}


@pytest.mark.parametrize("map_name, lang", CASES)
def test_every_place_has_a_name(map_name, lang):
    for p in features(map_name, "places"):
        assert p.get(f"name:{lang}", "").strip(), (
            f"{map_name}: place {p['name']!r} has no name:{lang}"
        )


@pytest.mark.parametrize("map_name, lang", CASES)
def test_every_event_has_a_title_and_caption(map_name, lang):
    for p in features(map_name, "events"):
        for key in ("title", "caption"):
            assert p.get(f"{key}:{lang}", "").strip(), (
                f"{map_name}: event {p['id']!r} has no {key}:{lang}"
            )


@pytest.mark.parametrize("map_name, lang", CASES)
def test_map_toml_table_covers_every_text(map_name, lang):
    doc = map_toml(map_name)
    table = doc["lang"][lang]
    for key in ("title", "subtitle", "short_title", "credits"):
        assert table[key].strip(), key
    assert set(table["sides"]) == {s["id"] for s in doc["sides"]}
    assert set(table["phases"]) == {p["id"] for p in doc.get("phases", [])}
    assert set(table.get("reference_lines", {})) == {
        r["label"] for r in doc.get("reference_lines", [])
    }
    assert set(table["pages"]) == {str(p["date"]) for p in doc.get("pages", [])}
    for date, page in table["pages"].items():
        english = next(p for p in doc["pages"] if str(p["date"]) == date)
        assert {k for k in ("heading", "subheading", "intro") if english.get(k)} <= set(page), date
        assert all(v.strip() for v in page.values()), date
    # The default language stays English: no top-level `lang = "xx"`.
    assert set(doc["lang"]) <= {"fr", "ko"}


@pytest.mark.parametrize("map_name", [m for m, langs in LANGUAGES.items() if "ko" in langs])
def test_korean_place_names_are_hangul(map_name):
    for p in features(map_name, "places"):
        name = p["name:ko"]
        assert HANGUL.search(name) and not LATIN.search(name), f"{p['name']!r} -> {name!r}"


@pytest.mark.parametrize("map_name", [m for m, langs in LANGUAGES.items() if "ko" in langs])
def test_korean_texts_are_in_korean(map_name):
    for text in texts(map_name, "ko"):
        assert HANGUL.search(text) or not LATIN.search(text), text


@pytest.mark.parametrize("map_name", [m for m, langs in LANGUAGES.items() if "fr" in langs])
def test_french_typography_is_consistent(map_name):
    """A no-break space before : ; ? ! » and after «, never an ordinary one; no straight quotes."""
    for text in texts(map_name, "fr"):
        assert not re.search(r"[^\u00a0][;?!»]|[^\u00a0]:(?!//)|«[^\u00a0]", text), text
        assert '"' not in text and text.count("«") == text.count("»"), text


@pytest.mark.parametrize("map_name, lang", CASES)
def test_captions_keep_the_figures(map_name, lang):
    """Each date, number and figure of the English is in the translation (miles become km)."""
    for p in features(map_name, "events"):
        for key in ("title", "caption"):
            english = numbers(p[key]) - IN_KM.get(p["id"], set())
            missing = english - numbers(p[f"{key}:{lang}"], lang)
            assert not missing, f"{map_name}: {p['id']} {key}:{lang} lacks {sorted(missing)}"


def test_numbers_reads_each_language():
    assert numbers("about 105,000 troops and 2.5 million") == {105000, 2.5e6}
    assert numbers("environ 105\u00a0000 soldats et 2,5 millions", "fr") == {105000, 2.5e6}
    assert numbers("약 10만 5천 명, 3만 6,500명, 250만 명, 6,670명", "ko") == {
        105000,
        36500,
        2.5e6,
        6670,
    }
