"""Languages: histmap's words from its catalogue, the map's texts from its folder, dates
and numbers from the CLDR, Hangul drawn, and every text fitted by measuring it."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import tomllib
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from conftest import write_tiny_map

import histmap
from histmap import MapError
from histmap._errors import OptionError
from histmap.cli import main
from histmap.draw import FrameRenderer
from histmap.i18n import CATALOGUES, LOCALES, language
from histmap.scaffold import new_map

SRC = Path(histmap.__file__).parent
KEYWORDS = {"gettext": None, "ngettext": (1, 2), "N_": None, "words": None}
"""How histmap marks its words: ``tr.gettext``, ``tr.ngettext``, ``N_``, ``words = tr.gettext``."""


def crete(tmp_path: Path) -> Path:
    """The ``histmap new`` example: English, with every text in French and Korean."""
    return new_map("crete", tmp_path)


def edit_toml(folder: Path, edit) -> None:
    path = folder / "map.toml"
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")


def edit_features(folder: Path, name: str, edit) -> None:
    path = folder / name
    doc = json.loads(path.read_text(encoding="utf-8"))
    for feature in doc["features"]:
        edit(feature["properties"])
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")


# -- the catalogue -----------------------------------------------------------------------------


@pytest.mark.parametrize("lang", CATALOGUES)
def test_each_catalogue_has_every_word_and_its_mo_is_its_po_compiled(lang):
    po = LOCALES / lang / "LC_MESSAGES" / "histmap.po"
    with po.open("rb") as f:
        catalogue = read_po(f, locale=lang)
    used = {
        msg if isinstance(msg, str) else msg[0]
        for _, _, msg, *_ in extract_from_dir(str(SRC), keywords=KEYWORDS)
    }
    have = {m.id if isinstance(m.id, str) else m.id[0] for m in catalogue if m.id}
    assert used == have, (used - have, have - used)
    assert all(m.string and all(m.string) for m in catalogue if m.id), "untranslated words"
    compiled = io.BytesIO()
    write_mo(compiled, catalogue)
    assert (po.with_suffix(".mo")).read_bytes() == compiled.getvalue(), (
        "compile it again: pybabel compile -d src/histmap/locales -D histmap"
    )


def test_dates_years_numbers_and_units_follow_the_language():
    day = dt.date(1950, 9, 15)
    en, fr, ko = language("en"), language("fr"), language("ko")
    assert (en.date(day), fr.date(day), ko.date(day)) == (
        "15 September 1950",
        "15 septembre 1950",
        "1950년 9월 15일",
    )
    assert (en.year(1951), ko.year(1951)) == ("1951", "1951년")
    assert fr.km(300) == "300\u202fkm" and ko.km(300) == "300km"
    assert fr.number(1234) == "1\u202f234" and en.number(1234) == "1,234"
    assert fr.gettext("Front line") == "Ligne de front" and ko.gettext("Front line") == "전선"
    assert ko.ngettext("+{n} more side", "+{n} more sides", 3) == "외 {n}개 세력"
    # A language with no catalogue: English words, its own dates.
    assert language("de").gettext("Front line") == "Front line"
    assert language("de").date(day) == "15. September 1950"
    with pytest.raises(OptionError, match="'xx-nope' is not a language code"):
        language("xx-nope")


# -- the map's texts ---------------------------------------------------------------------------


def test_a_map_loads_in_each_of_its_languages(tmp_path):
    folder = crete(tmp_path)
    fr, ko, en = (histmap.load_map(folder, lang) for lang in ("fr", "ko", None))
    assert en.lang == "en" and en.data.spec.title == "Crete"
    assert [s.name for s in fr.sides] == ["Grande-Bretagne, Grèce et Commonwealth", "Allemagne"]
    assert fr.data.spec.phases[0].name == "La bataille de Crète"
    assert fr.events.iloc[0].title == "Les parachutistes allemands sautent sur la Crète"
    assert fr.events.iloc[0].caption.startswith("Le 20 mai 1941")
    assert list(ko.places.name) == ["이라클리오"] and list(fr.places.name) == ["Héraklion"]
    assert ko.data.spec.subtitle.startswith("예시") and ko.data.spec.credits.startswith("출처")
    assert fr.languages == {"en": 1.0, "fr": 1.0, "ko": 1.0}
    assert fr.untranslated == [] and ko.text_warnings == []


def test_a_missing_translation_falls_back_and_check_lists_it(tmp_path, capsys):
    folder = crete(tmp_path)
    edit_toml(folder, lambda t: t.replace(', axis = "Allemagne" }', " }"))
    edit_features(folder, "places.geojson", lambda p: p.pop("name:fr"))
    edit_features(folder, "events.geojson", lambda p: p.pop("caption:fr"))
    fr = histmap.load_map(folder, "fr")
    assert [s.name for s in fr.sides] == ["Grande-Bretagne, Grèce et Commonwealth", "Germany"]
    assert list(fr.places.name) == ["Heraklion"]
    assert fr.events.iloc[0].caption.startswith("On 20 May 1941")
    assert fr.events.iloc[0].title.startswith("Les parachutistes")
    assert main(["check", str(folder), "--lang", "fr"]) == 0
    out = capsys.readouterr().out
    warned = [line for line in out.splitlines() if "no translation into 'fr'" in line]
    assert sorted(warned) == sorted(
        [
            "warning: crete/map.toml, feature axis, field 'lang.fr.sides': has no translation "
            "into 'fr': shown in 'en'",
            "warning: crete/places.geojson, feature Heraklion, field 'name:fr': has no "
            "translation into 'fr': shown in 'en'",
            "warning: crete/events.geojson, feature maleme, field 'caption:fr': has no "
            "translation into 'fr': shown in 'en'",
        ]
    )
    assert main(["check", str(folder), "--lang", "ko"]) == 0
    assert "no translation" not in capsys.readouterr().out
    assert main(["info", str(folder), "--lang"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"fr\s+French: 67% of the texts", out), out  # 6 of 9
    assert re.search(r"en\s+English: 100% of the texts, the map's own", out), out
    # A render in a language the map lacks says so once, in one line.
    assert main(["still", "1941-05-21", str(folder), "--lang", "de", "-o", str(tmp_path / "d.png"),
                 "--size", "320x180"]) == 0  # fmt: skip
    err = capsys.readouterr().err
    assert "9 texts are not translated into 'de'" in err.replace("map's 9", "9"), err


@pytest.mark.parametrize(
    "edit, field, message",
    [
        (lambda t: t.replace("[lang.fr]", "[lang.fr]\ntitel = 'x'"), "lang.fr.titel",
         "did you mean 'lang.fr.title'"),
        (lambda t: t.replace('axis = "Allemagne"', 'axes = "Allemagne"'), "lang.fr.sides",
         "'axes' is not a named side's id of this map (did you mean 'axis'?)"),
        (lambda t: t.replace("[lang.ko]", "[lang.xq]"), "lang.xq",
         "'xq' is not a language code"),
        (lambda t: t.replace("[lang.ko]", "[lang.en]"), "lang.en",
         "translates the map into its own language ('en')"),
        (lambda t: t.replace("[lang.fr]", '[lang.fr.pages."1941-05-22"]\nintro = "x"\n[lang.fr]'),
         "lang.fr.pages", "'1941-05-22' is not the date of a [[pages]] entry"),
        (lambda t: 'lang = "ko"\n' + t, "", "Cannot overwrite a value"),
    ],
)  # fmt: skip
def test_bad_translations_are_refused_by_name(tmp_path, capsys, edit, field, message):
    folder = crete(tmp_path)
    edit_toml(folder, edit)
    assert main(["check", str(folder)]) == 1
    out = capsys.readouterr().out
    assert message in out and f"field '{field}'" in out if field else message in out, out


def test_a_map_in_another_language_names_it(tmp_path):
    folder = crete(tmp_path)
    edit_toml(folder, lambda t: t.replace("[lang.fr]", "[lang]\ndefault = 'de'\n\n[lang.fr]"))
    edit_features(folder, "places.geojson", lambda p: p.update({"name:ko": 3}))
    with pytest.raises(MapError, match="feature #0, field 'name:ko': must be a text, not 3"):
        histmap.load_map(folder)
    edit_features(folder, "places.geojson", lambda p: p.pop("name:ko"))
    hmap = histmap.load_map(folder)
    assert hmap.lang == "de" and list(hmap.languages) == ["de", "fr", "ko"]
    assert histmap.load_map(folder, "ko").places.name[0] == "Heraklion"
    doc = tomllib.loads((folder / "map.toml").read_text(encoding="utf-8"))
    assert doc["lang"]["default"] == "de"


# -- drawn -------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "fr", "ko"])
def test_each_language_draws_a_still_and_a_video_with_every_glyph(tmp_path, lang):
    """The suite makes a missing glyph an error (conftest: HISTMAP_STRICT_GLYPHS), in the
    processes that draw the frames too."""
    folder = crete(tmp_path)
    still, video = tmp_path / f"{lang}.png", tmp_path / f"{lang}.mp4"
    base = [str(folder), "--lang", lang, "--size", "320x180"]
    assert main(["still", "1941-05-21", *base, "-o", str(still)]) == 0
    assert main(["render", *base, "-o", str(video), "--duration", "1", "--fps", "4"]) == 0
    assert still.stat().st_size > 5_000 and video.stat().st_size > 1_000
    assert histmap.load_map(folder, lang).text_warnings == []


def test_a_missing_glyph_fails_the_suite(tmp_path):
    folder = write_tiny_map(tmp_path / "m")
    edit_toml(folder, lambda t: t.replace('"Tiny test map"', '"Tiny กข map"'))
    hmap = histmap.load_map(folder)
    with pytest.raises(histmap.HistmapWarning, match="no glyph for 2 character"):
        hmap.still("1950-07-01", tmp_path / "s.png", size=(320, 180))  # said once, first
    # and matplotlib's own warning, where histmap draws, is an error too
    with pytest.raises(UserWarning, match="missing from font"):
        FrameRenderer(hmap.world, (320, 180), layered=False)


SVG_WORDS = {
    "ko": ["1950년 9월 15일", "주요 사건", "전선"],
    "fr": ["15 septembre 1950", "Ligne de front"],
}


@pytest.mark.parametrize("lang", ["ko", "fr"])
def test_an_svg_still_keeps_its_text_as_text(tmp_path, lang):
    words = SVG_WORDS[lang]
    out = histmap.load_map("korean_war", lang).still("1950-09-15", tmp_path / "s.svg")
    svg = out.read_text(encoding="utf-8")
    texts = re.findall(r"<text[^>]*>(.*?)</text>", svg, flags=re.S)
    for word in words:
        assert any(word in t for t in texts), (word, texts[:20])
    assert "font-family" in svg and "Noto Sans KR" in svg


LONG = {
    "fr": (
        "Le débarquement d'Inchon et la reprise de Séoul par les forces des Nations unies",
        "Le 15 septembre 1950, les marines américains débarquèrent à Inchon, loin derrière "
        "les lignes nord-coréennes. Onze jours plus tard, Séoul était reprise ; l'armée "
        "nord-coréenne, coupée de ses arrières, reflua vers le nord en abandonnant "
        "l'essentiel de son matériel lourd. " * 2,
    ),
    "ko": (
        "인천 상륙 작전과 국제연합군의 서울 수복, 그리고 북한군의 후퇴",
        "1950년 9월 15일 미국 해병대가 북한군 전선 훨씬 뒤쪽의 인천에 상륙했다. 11일 뒤 "
        "서울이 수복되었고, 보급로가 끊긴 북한군은 중장비 대부분을 버린 채 북쪽으로 "
        "물러났다. " * 3,
    ),
}


@pytest.mark.parametrize("size", [(640, 360), (1920, 1080)])
@pytest.mark.parametrize("lang", ["fr", "ko"])
def test_french_and_korean_panels_fit(tmp_path, lang, size):
    """The fit tests of the English panel (test_images): the title, subtitle, date, event
    title and caption within the panel, the caption clear of the legend."""
    folder = write_tiny_map(tmp_path / "m")
    title, caption = LONG[lang]
    edit_toml(
        folder,
        lambda t: (
            t
            + f'\n[lang.{lang}]\ntitle = "{title}"\nsubtitle = "{title}"\n'
            + f'sides = {{ north = "{title}", un = "{title[:30]}" }}\n'
        ),
    )
    edit_features(
        folder,
        "events.geojson",
        lambda p: p.update({f"title:{lang}": title, f"caption:{lang}": caption}),
    )
    hmap = histmap.load_map(folder, lang)
    plan = hmap.plan(size=size, fps=4, duration=4)
    renderer = FrameRenderer(hmap.world, size, story=plan.story)
    t = plan.story.schedule.captions[0].start + 0.5
    renderer.render(hmap.world.scene(float(plan.story.schedule.day_at(t)), t=t, story=plan.story))
    report = renderer.report()
    assert_inside_the_panel(report, report.texts)
    assert not report.legend_box.overlaps(report.texts["caption"])
    # A still: the title, the subtitle, the widest date, the numbered list of main events.
    still = FrameRenderer(hmap.world, size, layered=False)
    still.render(hmap.world.scene(hmap._day("1950-07-25")))
    report = still.report()
    assert_inside_the_panel(report, {**report.texts, **report.heading})


def assert_inside_the_panel(report, boxes) -> None:
    panel = report.panel_box
    for name, box in boxes.items():
        assert panel.x0 <= box.x0 and box.x1 <= panel.x1 + 1, (name, box, panel)
        assert panel.y0 <= box.y0 and box.y1 <= panel.y1 + 1, (name, box, panel)


def _caption_tracks(page: str) -> list[dict]:
    """The caption tracks a lesson page builds into its video (histmap.pagetracks)."""
    found = re.search(r'<script type="application/json" id="histmap-tracks">(.*?)</script>', page)
    assert found, "the page carries no tracks"
    return [t for t in json.loads(found.group(1)) if t["kind"] == "captions"]


def test_a_two_language_lesson_has_a_page_and_caption_track_per_language(tmp_path):
    folder = crete(tmp_path)
    out = tmp_path / "lesson"
    args = ["lesson", str(folder), "--lang", "en,fr", "-o", str(out), "--size", "320x180",
            "--duration", "2", "--fps", "4", "--workers", "1", "--quiet"]  # fmt: skip
    assert main(args) == 0
    pages = {"en": out / "index.html", "fr": out / "index.fr.html"}
    for lang, page in pages.items():
        text = page.read_text(encoding="utf-8")
        assert f'<html lang="{lang}">' in text
        tracks = _caption_tracks(text)
        assert [t["lang"] for t in tracks] == [lang], tracks
        captions = "captions.vtt" if lang == "en" else f"captions.{lang}.vtt"
        assert (out / captions).is_file()
        other = "fr" if lang == "en" else "en"
        assert f'hreflang="{other}"' in text
    fr_page = pages["fr"].read_text(encoding="utf-8")
    assert "Principaux événements" in fr_page and "20 mai 1941" in fr_page
    assert "Les parachutistes" in (out / "captions.fr.vtt").read_text(encoding="utf-8")
    assert "German paratroops" in (out / "captions.vtt").read_text(encoding="utf-8")
    manifest = json.loads((out / "lesson.json").read_text(encoding="utf-8"))
    assert sorted(manifest["languages"]) == ["en", "fr"]
    assert manifest["languages"]["fr"]["files"]["video"] == "crete.fr.mp4"
    assert (out / "crete.fr.mp4").stat().st_size > 1_000
    # Written again in place: every file is the lesson's own.
    assert main(args) == 0


def test_an_atlas_and_info_in_french(tmp_path, capsys):
    folder = crete(tmp_path)
    out = tmp_path / "atlas"
    args = ["atlas", str(folder), "--lang", "fr", "-o", str(out), "--size", "320x180", "--quiet"]
    assert main([*args, "--dates", "1941-05-27"]) == 0
    page = (out / "1941-05-27.html").read_text(encoding="utf-8")
    assert '<html lang="fr">' in page and "Principaux événements" in page
    assert "27 mai 1941" in page and "Les parachutistes allemands" in page
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "du 20 mai 1941 au 27 mai 1941" in index and "1 événement principal" in index
    assert main(["info", str(folder), "--lang", "ko"]) == 0
    out = capsys.readouterr().out
    assert "span: 1941년 5월 20일 to 1941년 5월 27일" in out and "독일 공수부대의 강하" in out


def test_the_interactive_map_speaks_the_pages_language(tmp_path):
    from histmap.player import player_data, player_section

    hmap = histmap.load_map(crete(tmp_path), "ko")
    section = player_section(language("ko"))
    assert "대화형 지도" in section and ">재생</button>" in section
    assert "Interactive map" in player_section()  # English by default
    data = player_data(hmap.world)
    assert data["lang"] == "ko" and data["words"]["Play"] == "재생"
    assert data["sides"][1]["name"] == "독일" and data["events"][0]["title"].startswith("독일")
    # in English, the browser writes "15 September 1950", as histmap does
    assert player_data(histmap.load_map(hmap.data.spec.folder).world)["lang"] == "en-GB"
    script = (Path(histmap.__file__).parent / "templates" / "player" / "player.js").read_text()
    assert "Intl.DateTimeFormat(D.lang" in script and 'say("Play")' in script
