"""The built-in Korean War map against the historical record and the engine's invariants."""

import datetime as dt
import itertools
import json
import re

import numpy as np
import pytest
import shapely

from histmap._dates import to_day
from histmap.basemap import load_basemap
from histmap.model import UNHELD

SEOUL, PYONGYANG, PUSAN = (126.98, 37.57), (125.75, 39.02), (129.04, 35.10)


def side_at(korea, date, lonlat) -> str:
    parts = korea.territories_at(date)
    point = shapely.Point(lonlat)
    return min(parts.itertuples(), key=lambda r: r.geometry.distance(point)).side


@pytest.mark.parametrize(
    "date, city, side",
    [
        ("1950-06-25", SEOUL, "un"),
        ("1950-07-01", SEOUL, "north"),
        ("1950-10-01", SEOUL, "un"),
        ("1951-01-10", SEOUL, "north"),
        ("1951-04-01", SEOUL, "un"),
        ("1950-11-01", PYONGYANG, "un"),
        ("1950-12-20", PYONGYANG, "north"),
        ("1953-07-27", (126.55, 37.97), "north"),  # Kaesong, north of the armistice line
        ("1950-09-16", (126.63, 37.47), "un"),  # Inchon, the beachhead
    ],
)
def test_cities_everyone_agrees_on(korea, date, city, side):
    assert side_at(korea, date, city) == side


def test_pusan_is_always_held_by_the_un(korea):
    for date in korea.snapshot_dates:
        assert side_at(korea, date, PUSAN) == "un", date


def test_snapshots_are_dense_where_the_front_moved_fast(korea):
    dates = korea.snapshot_dates
    assert len(dates) >= 45
    gaps = {(a, b): (b - a).days for a, b in itertools.pairwise(dates)}
    # About weekly in 1950: three gaps of 8 and 9 days remain (late July, early
    # September, early November), where no dated line was found to add.
    assert max(g for (a, _), g in gaps.items() if a < dt.date(1951, 1, 1)) <= 9
    assert max(g for (a, _), g in gaps.items() if a < dt.date(1951, 6, 15)) <= 16
    assert max(gaps.values()) <= 35  # monthly in the stalemate


def test_every_snapshot_is_a_partition_of_korea(korea):
    morph, land = korea.world.morph, korea.world.land
    for i, snap in enumerate(korea.data.snapshots):
        parts = morph.exact(i)
        assert set(parts) == {"north", "un"}, snap.date  # no land left to no side
        union = shapely.union_all(list(parts.values()))
        assert shapely.symmetric_difference(union, land).area / land.area < 1e-3
        assert parts["north"].intersection(parts["un"]).area / land.area < 1e-3


def test_fronts_follow_the_territories(korea):
    world = korea.world
    for _i, snap in enumerate(korea.data.snapshots):
        ((shared, _, _),) = [
            f for f in world.morph.fronts(to_day(snap.date)) if UNHELD not in f[1:]
        ]
        for geom, _ in snap.fronts:
            drawn = shapely.intersection(world.projector.forward(geom), world.land)
            if drawn.length < 20_000:
                continue
            # 95% of the drawn front lies within 2 km of the boundary between the sides.
            near = shapely.intersection(drawn, shared.buffer(2_000)).length
            assert near / drawn.length > 0.95, snap.date


def test_armistice_line_follows_the_demarcation_line(korea):
    """Within 5 km of the DMZ line of the WDBII borders (the helper traced the same line)."""
    projector = korea.world.projector
    modern = load_basemap(korea.data.spec.extent, "i").borders
    mdl = shapely.intersection(modern, shapely.box(125.9, 37.6, 128.5, 38.75))
    front = korea.fronts_at("1953-07-27").geometry.iloc[0]
    main = max(shapely.get_parts(projector.forward(front)), key=lambda g: g.length)
    assert main.length > 150_000  # across the peninsula
    vertices = shapely.points(shapely.get_coordinates(main.segmentize(500)))
    assert shapely.distance(projector.forward(mdl), vertices).max() < 5_000
    last = korea.data.snapshots[-1]
    assert [p["kind"] for _, p in last.extras] == ["dmz"]


def test_events_places_and_sources(korea):
    events, places = korea.events, korea.places
    assert len(events) >= 35 and len(places) >= 35
    assert events["source"].str.len().min() > 10
    assert set(events["kind"]) >= {"landing", "offensive", "political", "armistice", "evacuation"}
    ends = r"(?<![ap]\.m)[.!?](?=\s+[A-Z0-9]|\s*$)"  # not the dot of "a.m."
    sentences = events["caption"].map(lambda c: len(re.findall(ends, c)))
    assert sentences.between(1, 3).all()
    assert {"Seoul", "Pyongyang", "Inchon", "Hungnam", "Panmunjom"} <= set(places["name"])


def test_partition_and_continuity_at_200_random_instants(korea):
    rng = np.random.default_rng(1950)
    start, end = (to_day(d) for d in korea.span)
    land = korea.world.land
    morph = korea.world.morph
    cuts = {to_day(s.date) for s in korea.data.snapshots if s.transition == "cut"}
    ratios = []
    for day in np.sort(rng.uniform(start, end - 1, 200)):
        parts = morph.territories(day)
        union = shapely.union_all(list(parts.values()))
        assert shapely.symmetric_difference(union, land).area / land.area < 1e-3, day
        geoms = list(parts.values())
        assert (
            sum(a.intersection(b).area for a in geoms for b in geoms if a is not b) / land.area
            < 2e-3
        )
        if any(day < c <= day + 0.2 for c in cuts):
            continue
        # Continuity: half the step, about half the move (a topology change, such
        # as an island changing hands, may break the ratio at a few instants).
        step = [
            shapely.symmetric_difference(parts["un"], morph.territories(day + h)["un"]).area
            for h in (0.1, 0.2)
        ]
        ratios.append(step[0] / step[1] if step[1] > 1e6 else 0.5)
    assert 0.4 < np.median(ratios) < 0.6
    assert np.mean(np.array(ratios) < 0.75) > 0.95


def test_recent_gains_after_the_breakout_and_none_in_the_stalemate(korea):
    """A week after the Inchon landing the UN's recent gains are large and lie between
    the front of a week before and today's; in the stalemate of 1952 there are none."""
    world = korea.world
    day, week_ago = to_day("1950-09-28"), to_day("1950-09-21")
    gains = world.morph.gains(day, week_ago)
    taken = shapely.intersection(gains["un"], world.land)
    now, before = world.morph.territories(day), world.morph.territories(week_ago)
    between = shapely.intersection(now["un"], before["north"])
    assert taken.area > 20_000e6  # km² of the peninsula, in m²
    assert shapely.difference(taken, between).area < 0.05 * taken.area
    assert shapely.difference(between, taken).area < 0.1 * between.area
    quiet = world.morph.gains(to_day("1952-03-01"), to_day("1952-02-23"))
    assert sum(g.area for g in quiet.values()) == 0


# The audit of issue 18: pockets, islands and the 1953 battles.

CHOSAN = (125.80, 40.83)  # the town on the Yalu


def part_holding(korea, date, lonlat, side="un"):
    """The part of ``side``'s ground on ``date`` that holds ``lonlat``, and all its parts."""
    parts = korea.territories_at(date)
    geom = shapely.union_all(list(parts[parts.side == side].geometry))
    pieces = list(shapely.get_parts(geom))
    point = shapely.Point(lonlat)
    holding = [p for p in pieces if p.buffer(0.005).contains(point)]
    return (holding[0] if holding else None), pieces


def test_chosan_is_a_cut_off_pocket_on_26_october_1950(korea):
    pocket, pieces = part_holding(korea, "1950-10-26", CHOSAN)
    assert pocket is not None, "Chosan is not in UN ground"
    main = max(pieces, key=lambda p: p.area)
    assert pocket is not main and pocket.distance(main) > 0.05  # a pocket, not a salient
    assert pocket.area < 0.05 * main.area
    place = korea.places[korea.places["name"] == "Chosan"].geometry.iloc[0]
    assert place.distance(shapely.Point(CHOSAN)) < 0.03
    event = korea.events[korea.events["id"] == "yalu-at-chosan"].geometry.iloc[0]
    assert event.distance(shapely.Point(CHOSAN)) < 0.03


CHOSIN_POCKETS = {
    "Yudam-ni": (127.11, 40.48),
    "RCT-31 east of the reservoir": (127.32, 40.48),
    "Hagaru-ri": (127.25, 40.37),
    "Koto-ri": (127.30, 40.28),
}


@pytest.mark.parametrize(
    "date, names",
    [
        ("1950-11-28", list(CHOSIN_POCKETS)),
        ("1950-12-01", ["Yudam-ni", "Hagaru-ri", "Koto-ri"]),  # RCT-31 broke out on 1 December
    ],
)
def test_chosin_positions_are_separate_pockets(korea, date, names):
    found = []
    for name in names:
        pocket, pieces = part_holding(korea, date, CHOSIN_POCKETS[name])
        assert pocket is not None, (date, name)
        main = max(pieces, key=lambda p: p.area)
        assert pocket is not main and pocket.area < 0.01 * main.area, (date, name)
        found.append(pocket)
    for a, b in itertools.combinations(found, 2):
        assert not a.equals(b) and a.distance(b) > 0.01, date


ISLANDS = {
    "Paengnyong-do": (124.66, 37.951),
    "Taechong-do": (124.709, 37.832),
    "Yonpyong-do": (125.691, 37.661),
    "Kyodong-do": (126.267, 37.785),
    "Cho-do": (124.833, 38.537),
    "Sok-to": (125.012, 38.65),
    "Yo-do": (127.63, 39.23),  # Wonsan harbour
    "Sunwi-do": (125.258, 37.733),  # off the Ongjin peninsula
    "Yongmae-do": (125.913, 37.779),  # off Haeju
    "Ka-do": (124.656, 39.557),  # Korea Bay
    "Taehwa-do": (124.775, 39.456),
    "Sinmi-do": (124.889, 39.553),
    "Yang-do": (129.537, 40.751),  # off Songjin
}


def side_holding(korea, date, lonlat) -> str:
    parts = korea.territories_at(date)
    point = shapely.Point(lonlat)
    sides = {r.side for r in parts.itertuples() if r.geometry.buffer(0.002).contains(point)}
    assert len(sides) == 1, (date, lonlat, sides)
    return sides.pop()


@pytest.mark.parametrize(
    "date, island, side",
    [
        ("1950-12-15", "Paengnyong-do", "un"),
        ("1951-01-04", "Paengnyong-do", "un"),
        ("1951-01-10", "Taechong-do", "un"),
        ("1951-01-24", "Yonpyong-do", "un"),
        ("1951-02-10", "Kyodong-do", "un"),
        ("1951-02-15", "Yonpyong-do", "un"),
        ("1951-01-24", "Cho-do", "north"),
        ("1951-08-15", "Cho-do", "un"),
        ("1952-06-15", "Sok-to", "un"),
        ("1953-07-20", "Cho-do", "un"),
        ("1953-07-27", "Cho-do", "north"),  # handed over under the armistice
        ("1953-07-27", "Paengnyong-do", "un"),
        ("1953-07-27", "Yonpyong-do", "un"),
        ("1951-01-24", "Yo-do", "north"),
        ("1952-06-15", "Yo-do", "un"),
        ("1951-05-15", "Sok-to", "un"),  # ROK marines landed on 7 May 1951
        ("1951-04-30", "Sok-to", "north"),
        ("1951-09-15", "Yang-do", "un"),  # landing of 28 August 1951
        ("1951-08-15", "Yang-do", "north"),
        # Korea Bay: guerrilla-held from December 1950 to the Chinese landings of November 1951.
        ("1950-12-01", "Ka-do", "north"),
        ("1951-01-10", "Ka-do", "un"),
        ("1951-06-15", "Sinmi-do", "un"),
        ("1951-10-15", "Ka-do", "un"),
        ("1951-11-15", "Ka-do", "north"),  # taken on the night of 5 November 1951
        ("1951-11-15", "Taehwa-do", "un"),
        ("1951-12-15", "Taehwa-do", "north"),  # taken on 30 November 1951
        ("1951-12-15", "Sinmi-do", "north"),
        ("1952-06-15", "Ka-do", "north"),
    ],
)
def test_islands_are_on_the_side_that_held_them(korea, date, island, side):
    assert side_holding(korea, date, ISLANDS[island]) == side


def test_west_coast_islands_stay_un_from_december_1950(korea):
    for date in korea.snapshot_dates:
        if date >= dt.date(1950, 12, 1):
            for name in ("Paengnyong-do", "Taechong-do", "Yonpyong-do", "Kyodong-do"):
                assert side_holding(korea, date.isoformat(), ISLANDS[name]) == "un", (date, name)


@pytest.mark.parametrize("name", ["Sunwi-do", "Yongmae-do"])
def test_ongjin_and_haeju_islands_un_from_january_1951_to_the_armistice(korea, name):
    """Held by guerrillas and the ROK until the armistice gave them to the North."""
    for date in korea.snapshot_dates:
        if dt.date(1951, 1, 4) <= date <= dt.date(1953, 7, 20):
            assert side_holding(korea, date.isoformat(), ISLANDS[name]) == "un", (date, name)
    assert side_holding(korea, "1950-08-04", ISLANDS[name]) == "north"
    assert side_holding(korea, "1953-07-27", ISLANDS[name]) == "north"


def test_east_coast_front_at_yangyang_on_2_october_1950(korea):
    """The ROK 3rd Division entered Yangyang on the afternoon of 2 October, not Kansong."""
    assert side_holding(korea, "1950-10-02", (128.62, 38.075)) == "un"  # Yangyang
    assert side_holding(korea, "1950-10-02", (128.47, 38.38)) == "north"  # Kansong
    front = korea.fronts_at("1950-10-02").geometry.iloc[0]
    coast = shapely.intersection(front, shapely.box(128.5, 37.5, 129.0, 39.0))
    assert coast.bounds[3] < 38.2  # the line meets the coast just north of Yangyang


def test_the_1953_kumsong_snapshots_exist_and_differ_from_the_mdl(korea):
    dates = {d.isoformat() for d in korea.snapshot_dates}
    assert {"1953-06-18", "1953-07-16", "1953-07-20", "1953-07-27"} <= dates
    # The dent point is on the Pukhan, 3 km inside the June dent (moved north with the
    # corrected eastern flank of the salient).
    salient, dent, south_of_river = (127.6, 38.38), (127.79, 38.36), (127.6, 38.28)
    # Before the July offensive the salient bulges north of the MDL ...
    assert side_holding(korea, "1953-05-15", salient) == "un"
    assert side_holding(korea, "1953-06-18", salient) == "un"
    assert side_holding(korea, "1953-07-27", salient) == "north"
    # ... the June attacks dent the line astride the Pukhan ...
    assert side_holding(korea, "1953-05-15", dent) == "un"
    assert side_holding(korea, "1953-06-18", dent) == "north"
    # ... and on 14-16 July the Chinese are south of the Kumsong River, pushed back by 20 July.
    assert side_holding(korea, "1953-07-16", south_of_river) == "north"
    assert side_holding(korea, "1953-07-20", south_of_river) == "un"
    assert side_holding(korea, "1953-07-27", south_of_river) == "un"


def test_one_spelling_per_town(korea):
    """Kimchon is the town in the south; Kumchon only the North Korean town of the
    October 1950 pocket."""
    import pathlib

    folder = pathlib.Path(korea.data.spec.folder)
    texts = [p.read_text("utf-8") for p in folder.rglob("*") if p.suffix in {".geojson", ".toml"}]
    text = "\n".join(texts)
    # Other spellings of the same towns, in any language: Appleman's apostrophes, today's
    # Revised Romanization, the "-ni" (village) suffix, and the Korean 문산리.
    for other in ("Munsan-ni", "Kumch'on", "Kimch'on", "Gimcheon", "Geumcheon", "문산리"):
        assert other not in text, other
    for hit in re.finditer(r"Kumchon", text):
        around = text[hit.start() - 80 : hit.end() + 80]
        assert "pocket" in around, around
    places = json.loads((folder / "places.geojson").read_text("utf-8"))["features"]
    korean = {p["properties"]["name"]: p["properties"]["name:ko"] for p in places}
    assert korean["Kimchon"] == "김천" and korean["Munsan"] == "문산"
    assert "금천" not in korean.values()  # 금천 is the North Korean Kumchon


# Guerrilla and by-passed forces behind the UN lines (issue 18).

CHIRI_SAN = (127.73, 35.34)  # the massif's central peak (Cheonwangbong)
KPA_10TH = (129.05, 36.27)  # the mountains between Andong, Uisong, Yongdok and Pohang


def north_pocket(korea, date, lonlat):
    pocket, pieces = part_holding(korea, date, lonlat, side="north")
    if pocket is None:
        return None
    main = max(pieces, key=lambda p: p.area)
    assert pocket is not main and pocket.distance(main) > 0.5, date  # deep inside UN ground
    assert pocket.area < 0.2, date  # under ~2,000 km2: the scale of a mountain area, not a front
    return pocket


@pytest.mark.parametrize(
    "date", ["1950-11-24", "1950-12-20", "1951-01-24", "1951-06-15", "1951-11-15", "1951-12-15"]
)
def test_chiri_san_guerrillas_are_a_north_pocket_until_ratkiller(korea, date):
    assert north_pocket(korea, date, CHIRI_SAN) is not None, date


def test_chiri_san_pocket_shrinks_under_ratkiller_and_is_then_gone(korea):
    before = north_pocket(korea, "1951-11-15", CHIRI_SAN)
    during = north_pocket(korea, "1951-12-15", CHIRI_SAN)
    assert during.area < 0.3 * before.area
    for date in korea.snapshot_dates:
        if date >= dt.date(1952, 2, 1):
            assert side_holding(korea, date.isoformat(), CHIRI_SAN) == "un", date


@pytest.mark.parametrize("date", ["1951-01-24", "1951-02-01", "1951-02-10"])
def test_kpa_10th_division_is_a_north_pocket_behind_the_lines(korea, date):
    pocket = north_pocket(korea, date, KPA_10TH)
    assert pocket is not None, date
    for town in ((128.729, 36.568), (129.365, 36.032)):  # Andong and Pohang stay UN
        assert side_holding(korea, date, town) == "un", (date, town)


@pytest.mark.parametrize("date", ["1951-01-10", "1951-02-15", "1951-03-07"])
def test_kpa_10th_division_pocket_only_in_january_february_1951(korea, date):
    assert side_holding(korea, date, KPA_10TH) == "un"


# The Kumsong salient before the July 1953 offensive, as Hermes (ch. XXI) describes it:
# from about 3 miles north-east of Kumhwa north-east to the hills south of Kumsong, level
# east for about 10 miles, then south-east for about 13 miles to Mundung-ni.
SALIENT_FLANKS = [
    # (lon, lat) a few km inside the salient, then a few km outside it
    ((127.53, 38.35), (127.49, 38.37)),  # western flank, between Kumhwa and Kumsong
    ((127.66, 38.38), (127.66, 38.43)),  # the level northern face south of Kumsong
    ((127.74, 38.38), (127.74, 38.43)),  # its eastern end, about 16 km east
    ((127.88, 38.33), (127.88, 38.39)),  # eastern flank, falling towards Mundung-ni
]


@pytest.mark.parametrize("date", ["1952-06-15", "1953-01-15", "1953-05-15"])
def test_kumsong_salient_flanks_follow_hermes(korea, date):
    for inside, outside in SALIENT_FLANKS:
        assert side_holding(korea, date, inside) == "un", (date, inside)
        assert side_holding(korea, date, outside) == "north", (date, outside)
    # The salient starts about 5 km north-east of Kumhwa: Kumhwa itself is behind the line.
    assert side_holding(korea, date, (127.435, 38.28)) == "un"
    assert side_holding(korea, date, (127.43, 38.345)) == "north"  # west of the old flank


# Chapter titles read in the CMH online editions in the audit of December 2026 (SOURCES.md):
# wherever the data names one of them, it carries the book's own chapter number.
CHECKED_CHAPTERS = [
    ("I", "Korea and the Background of Conflict"),  # Appleman
    ("III", "Invasion Across the Parallel"),  # Appleman
    ("VI", "American Ground Forces Enter the Battle"),  # Appleman
    ("VII", "Delaying Action: P'yongt'aek to Choch'iwon"),  # Appleman
    ("VIII", "In the Central Mountains and on the East Coast"),  # Appleman
    ("X", "Disaster at the Kum River Line"),  # Appleman
    ("XII", "The Front Line Moves South"),  # Appleman
    ("XIII", "The Enemy Flanks Eighth Army in the West"),  # Appleman
    ("XXI", "August Build-up and September Portents"),  # Appleman
    ("XXIII", "North Korean Breakthrough in the South"),  # Appleman
    ("XXVI", "The Capture of Seoul"),  # Appleman
    ("XXVII", "Breaking the Cordon"),  # Appleman
    ("XXVIII", "Pursuit and Exploitation"),  # Appleman
    ("XXIX", "The Plan for Complete Victory"),  # Appleman
    ("XXX", "Eighth Army and X Corps Enter North Korea"),  # Appleman
    ("XXXI", "The Capture of P'yongyang"),  # Appleman
    ("XXXII", "Up to the Ch'ongch'on"),  # Appleman
    ("XXXVIII", "The X Corps Advances to the Yalu"),  # Appleman
    ("XIV", "Blocking the Road to Masan"),  # Appleman
    ("XVII", "The First Battle of the Naktong Bulge"),  # Appleman (fourth pass)
    ("XVIII", "Battle for the Eastern Corridor to Pusan"),  # Appleman (fourth pass)
    ("V", "The North Koreans Cross the Han River"),  # Appleman (fourth pass)
    ("XIX", "The Taegu Front"),  # Appleman (fourth pass)
    ("XIII", "Advance to the Han"),  # Mossman (fourth pass)
    ("XXVII", "Substitute for Victory"),  # Mossman (fourth pass)
    ("XXXIII", "The Chinese Intervene"),  # Appleman
    ("V", "The Battle of the Changjin Reservoir"),  # Mossman
    ("VI", "Disengagement in the West"),  # Mossman
    ("XV", "Defending the Wonju Line"),  # Mossman
    ("XXI", "The Last Offensive"),  # Hermes
    ("XXVI", "The Counteroffensive"),  # Mossman
    ("VIII", "Redeployment South"),  # Mossman
    ("IX", "The Chinese Third Phase Offensive: The Opening"),  # Mossman
    ("X", "Withdrawal From Seoul"),  # Mossman
    ("XI", "Withdrawal to Line D"),  # Mossman
    ("XII", "Reconnaissance in Force"),  # Mossman
    ("XVII", "Operation RIPPER"),  # Mossman
    ("XIX", "Operation RUGGED"),  # Mossman
    ("XXI", "The Chinese Spring Offensive: The Opening"),  # Mossman
    ("XXV", "Battle Below the Soyang"),  # Mossman
    ("II", "The Initial Negotiations"),  # Hermes
    ("XVIII", "The Beginning of the End"),  # Hermes
    ("I", "Korea, Case History of a Pawn"),  # Schnabel
]


def test_checked_chapter_titles_carry_their_numbers(korea):
    import pathlib

    fronts = pathlib.Path(korea.data.spec.folder) / "source" / "fronts.toml"
    lines = fronts.read_text("utf-8").splitlines()
    sources = list(korea.events["source"]) + [s for s in lines if s.lstrip().startswith("source")]
    text = "\n".join(sources)
    for number, title in CHECKED_CHAPTERS:
        hits = list(re.finditer(re.escape(title), text))
        assert hits, title
        for hit in hits:
            before = text[max(0, hit.start() - 20) : hit.start()]
            # (a map of the book may share the chapter's title: "Map 26 (Operation RIPPER, ...")
            assert re.search(rf"(ch\. {number}[ ,(]+|Map \d+ \()$", before), (title, before)
    # The title first given for Seoul's fall in June 1950 is not a chapter of Appleman's.
    assert "The Fall of Seoul" not in text
    assert "ch. III (the US reaction)" not in text


def test_rhee_release_is_placed_at_one_of_the_camps(korea):
    """The prisoners of 18 June 1953 broke out at Pusan, Masan, Nonsan and Sangmudae (FRUS)."""
    camps = [(129.04, 35.115), (128.571, 35.214), (127.10, 36.20), (126.85, 35.15)]
    event = korea.events[korea.events["id"] == "rhee-releases-prisoners"].geometry.iloc[0]
    assert min(event.distance(shapely.Point(c)) for c in camps) < 0.05


def event_texts(korea, event_id: str) -> dict[str, str]:
    """An event's properties as written in events.geojson, translations included."""
    import json
    import pathlib

    path = pathlib.Path(korea.data.spec.folder) / "events.geojson"
    features = json.loads(path.read_text("utf-8"))["features"]
    return next(f["properties"] for f in features if f["properties"]["id"] == event_id)


def test_seoul_changed_hands_for_the_third_time_on_4_january_1951(korea):
    """28 June 1950, 28 September 1950, 4 January 1951 (Mossman, ch. X): the third change,
    in every language; the fourth (15 March 1951) is the last."""
    fell = event_texts(korea, "seoul-falls-1951")
    assert fell["date"] == "1951-01-04"
    assert "third time" in fell["caption"] and "second" not in fell["caption"]
    assert "troisième fois" in fell["caption:fr"] and "deuxième" not in fell["caption:fr"]
    assert "세 번째" in fell["caption:ko"] and "두 번째" not in fell["caption:ko"]
    retaken = event_texts(korea, "seoul-retaken-1951")
    assert "fourth" in retaken["caption"]


def test_may_1951_offensive_broke_four_rok_divisions_and_iii_corps_was_disbanded(korea):
    """At least four ROK divisions (the 5th and 7th of X Corps, the 3rd and 9th of ROK III Corps)
    gave way; III Corps was disbanded on 26 May (Mossman, chs. XXV-XXVI)."""
    may = event_texts(korea, "may-offensive-soyang")
    assert may["date"] == "1951-05-16"
    assert "four South Korean divisions" in may["caption"]
    assert "two South Korean divisions" not in may["caption"]
    assert "26 May" in may["caption"] and "III Corps was disbanded" in may["caption"]
    assert "quatre divisions" in may["caption:fr"] and "26 mai" in may["caption:fr"]
    assert "IIIe corps" in may["caption:fr"] and "dissous" in may["caption:fr"]
    assert "4개 사단" in may["caption:ko"] and "5월 26일" in may["caption:ko"]
    assert "제3군단" in may["caption:ko"] and "해체" in may["caption:ko"]


# Markers placed in the second pass of the December 2026 audit (SOURCES.md).
def test_outpost_battle_markers_follow_the_sources(korea):
    events = korea.events.set_index("id")
    # Old Baldy (Hill 266) is north-west of Yonchon, west of Pork Chop Hill.
    baldy = events.loc["old-baldy"].geometry
    assert baldy.distance(shapely.Point(127.004, 38.229)) < 0.02
    assert baldy.x < events.loc["pork-chop-hill"].geometry.x
    # Bloody Ridge: about 2 miles west and a little south of Hill 1179, south of Heartbreak Ridge.
    bloody = events.loc["bloody-ridge"].geometry
    assert bloody.distance(shapely.Point(128.038, 38.255)) < 0.02
    assert bloody.y < events.loc["heartbreak-ridge"].geometry.y
    # The N.K. 6th Division's sweep set out from Yesan on 13 July 1950 (Appleman, ch. XIII).
    sweep = events.loc["sweep-to-chinju"]
    assert str(sweep["date"]) == "1950-07-13"
    assert shapely.Point(sweep.geometry.coords[0]).distance(shapely.Point(126.848, 36.68)) < 0.03


def test_no_line_cuts_an_island(korea):
    """No source draws a front through an island: each island of more than about 2 km2
    is held whole by one side on every snapshot (less than 2% of it on the other)."""
    import geopandas

    region = geopandas.read_file(korea.data.spec.folder / "region.geojson").geometry[0]
    islands = [p for p in shapely.get_parts(region) if 2e-4 < p.area < 0.05]
    assert len(islands) > 50
    cut = []
    for snap in korea.data.snapshots:
        for island in islands:
            shares = [
                shapely.intersection(island, snap.territories[side]).area / island.area
                for side in ("north", "un")
            ]
            if min(shares) > 0.02:
                cut.append((str(snap.date), island.representative_point().coords[0]))
    assert cut == []


# The by-passed KPA units in the Taebaek mountains, October 1950 (SOURCES.md, "The by-passed
# forces in the Taebaek mountains"): a mountain area on the range between Yongwol, Chongson and
# Taebaek-san, drawn round at the scale of the area, not as a front.
TAEBAEK = (128.72, 37.25)


@pytest.mark.parametrize("date", ["1950-10-02", "1950-10-09", "1950-10-14"])
def test_taebaek_bypassed_units_are_a_round_mountain_pocket(korea, date):
    pocket, pieces = part_holding(korea, date, TAEBAEK, side="north")
    assert pocket is not None, date
    assert pocket is not max(pieces, key=lambda p: p.area)  # behind the UN front
    roundness = 4 * np.pi * pocket.area / pocket.length**2  # 1 for a circle; the old hexagon 0.84
    assert roundness > 0.93, roundness
    assert 0.1 < pocket.area < 0.2  # some 1,000-2,000 km2: the mountain area, not a front
    # On the range, east of the Chech'on-Tanyang road and west of the coast road, both UN-held.
    west, _, east, _ = pocket.bounds
    assert west > 128.4 and east < 129.0, pocket.bounds
    for town in ((128.19, 37.13), (128.37, 36.98), (129.17, 37.44)):  # Chechon, Tanyang, Samchok
        assert side_holding(korea, date, town) == "un", (date, town)


def test_taebaek_pocket_only_in_october_1950(korea):
    for date in ("1950-09-28", "1950-10-20"):
        assert side_holding(korea, date, TAEBAEK) == "un", date


# The third pass of the audit (SOURCES.md, "Events, third pass").
def test_no_arrow_cites_the_unchecked_west_point_atlas(korea):
    """No text of the atlas's Korean maps could be read: the arrows cite the official
    histories' chapters and maps instead."""
    assert not korea.events["source"].str.contains("West Point").any()
    sources = korea.events.set_index("id")["source"]
    assert "Map III" in sources["drive-to-the-naktong"] and "Map III" in sources["sweep-to-chinju"]
    assert "Taegu-Kimchon-Taejon-Suwon" in sources["pusan-breakout"]
    assert "Map 9" in sources["chinese-second-phase"]


def test_pusan_perimeter_is_about_90_by_60_miles(korea):
    """Montross and Canzona, vol. I: a beachhead about 90 miles long and 60 wide in early
    August 1950 (the caption said 100 by 50, which no source we read gives)."""
    pusan = event_texts(korea, "pusan-perimeter")
    assert pusan["date"] == "1950-08-01"
    assert "90 miles long and 60 wide" in pusan["caption"]
    assert "145 km de long sur 95 de large" in pusan["caption:fr"]
    assert "145km" in pusan["caption:ko"] and "95km" in pusan["caption:ko"]
    assert "100 miles" not in pusan["caption"]


# The fourth pass of the audit (SOURCES.md, "What each snapshot's line follows").
def all_sources(korea) -> str:
    """Every source the map gives: fronts.toml (pockets and islands too), events, snapshots."""
    import pathlib

    folder = pathlib.Path(korea.data.spec.folder)
    fronts = (folder / "source" / "fronts.toml").read_text("utf-8").splitlines()
    texts = [s for s in fronts if s.lstrip().startswith("source")] + list(korea.events["source"])
    for snap in korea.data.snapshots:
        doc = json.loads(snap.path.read_text("utf-8"))
        texts += [f["properties"]["source"] for f in doc["features"]]
    return "\n".join(texts)


def test_no_chapter_number_is_left_from_memory(korea):
    """The chapter numbers first given from memory were Arabic ("ch. 4-5", "ch. 18" for July
    1953, which is Hermes's ch. XVIII of October 1952); each is now a chapter whose number and
    title were read, or the reference says the chapter was not located. Only Field's naval
    history, read in its own numbering, keeps an Arabic chapter."""
    text = all_sources(korea)
    for hit in re.finditer(r"\bch(?:s|apters?)?\.? ?\d", text):
        before = text[max(0, hit.start() - 60) : hit.start()]
        assert "Field" in before, text[max(0, hit.start() - 120) : hit.end() + 40]
    assert "ch. XXI, The Last Offensive (CPV offensive of 13-20 July" in text  # was "ch. 18"


STALEMATE = (dt.date(1951, 11, 15), dt.date(1953, 5, 15))


def test_the_stalemate_is_one_line_and_says_why(korea):
    """From the line of contact of 27 November 1951 to May 1953 the front is one line: in spring
    1953 it lay 1 to 2.5 km from the agreed line (Clark to the JCS, FRUS 1952-1954, vol. XV, doc.
    464), under what the map draws; each of those snapshots says so. It moves before and after."""
    fronts = {}
    for snap in korea.data.snapshots:
        if STALEMATE[0] <= snap.date <= STALEMATE[1]:
            doc = json.loads(snap.path.read_text("utf-8"))
            line = next(f for f in doc["features"] if f["properties"]["kind"] == "front")
            # The line across the peninsula (the other parts ring pockets and islands).
            parts = shapely.get_parts(shapely.geometry.shape(line["geometry"]))
            fronts[snap.date] = max(parts, key=lambda g: g.length)
            assert "C 61971" in line["properties"]["source"], snap.date
            assert "1 to 2.5 km" in line["properties"]["source"], snap.date
    assert len(fronts) == 19
    first = fronts[STALEMATE[0]]
    assert all(shapely.hausdorff_distance(first, f) < 1e-6 for f in fronts.values())
    for date in ("1951-10-15", "1953-06-18"):  # Nomad-Polar before it, the June dent after it
        parts = shapely.get_parts(korea.fronts_at(date).geometry.iloc[0])
        moved = max(parts, key=lambda g: g.length)
        assert shapely.hausdorff_distance(first, moved) > 0.02, date  # > 2 km


def test_sources_md_says_what_each_snapshot_follows(korea):
    """SOURCES.md has a row for every snapshot date, and no chapter is said to be from memory."""
    import pathlib

    text = (pathlib.Path(korea.data.spec.folder) / "SOURCES.md").read_text("utf-8")
    table = text.split("### Snapshots, date by date", 1)[1]
    rows = dict(re.findall(r"^\| (\d{4}-\d\d-\d\d) \| [^|]* \| ([^|]+) \|$", table, re.M))
    assert set(rows) == {d.isoformat() for d in korea.snapshot_dates}
    assert all(len(follows.strip()) > 5 for follows in rows.values())
    assert "still as first written" not in text


def test_the_june_1953_dent_is_about_12_km_wide_and_3_to_6_km_deep(korea):
    """The CPV attacks of 10-18 June 1953 astride the Pukhan (Hermes, ch. XXI): the ground the
    UN lost between 15 May and 18 June, measured north-south along each meridian."""

    def un(date):
        parts = korea.territories_at(date)
        return shapely.union_all(list(parts[parts.side == "un"].geometry))

    lost = shapely.difference(un("1953-05-15"), un("1953-06-18"))
    km_per_lon, km_per_lat = 111.32 * np.cos(np.radians(38.37)), 110.95
    depths = {}
    for lon in np.arange(127.55, 128.1, 0.005):
        cut = shapely.intersection(lost, shapely.LineString([(lon, 38.0), (lon, 38.7)]))
        depths[lon] = cut.length * km_per_lat
    deep = [lon for lon, depth in depths.items() if depth > 0.5]
    width = (max(deep) - min(deep)) * km_per_lon  # 10.9 km as drawn
    assert 9 < width < 15, width
    assert 3 < max(depths.values()) < 6.5, max(depths.values())
    # Astride the Pukhan, which crosses the line near 127.79 E.
    assert min(deep) < 127.79 < max(deep)
