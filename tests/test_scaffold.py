"""`histmap new`: the scaffolded map folder checks and renders at once."""

from __future__ import annotations

import tomllib

import imageio.v3 as iio
import pytest

from histmap import load_map
from histmap._errors import OptionError
from histmap.cli import main
from histmap.scaffold import new_map


def test_new_makes_a_complete_commented_folder(tmp_path, capsys):
    assert main(["new", "my_map", "--dir", str(tmp_path)]) == 0
    folder = tmp_path / "my_map"
    assert "histmap check" in capsys.readouterr().out
    for name in ("map.toml", "README.md", "events.geojson", "places.geojson"):
        assert (folder / name).is_file()
    assert len(list((folder / "snapshots").glob("*.geojson"))) == 2
    text = (folder / "map.toml").read_text()
    assert text.count("#") > 10  # commented
    assert tomllib.loads(text)["title"] == "My map"
    assert "my_map" in (folder / "README.md").read_text()
    assert main(["check", str(folder)]) == 0


def test_new_refuses_an_existing_folder_or_a_bad_name(tmp_path):
    new_map("a", tmp_path)
    with pytest.raises(OptionError, match="already exists"):
        new_map("a", tmp_path)
    with pytest.raises(OptionError, match="not a usable map name"):
        new_map("../x", tmp_path)
    assert main(["new", "a", "--dir", str(tmp_path)]) == 2


def test_scaffold_renders_a_still_and_an_animation(tmp_path):
    hmap = load_map(new_map("crete", tmp_path))
    assert not hmap.warnings
    still = hmap.still("1941-05-24", tmp_path / "s.png", size=(320, 180))
    assert iio.imread(still).shape[:2] == (180, 320)
    (gif,) = hmap.render(tmp_path / "a.gif", size=(320, 180), fps=6, duration=1.5, workers=1)
    frames = iio.imread(gif, index=None)
    assert frames.shape[0] == 9 and frames.shape[1:3] == (180, 320)
    # Both sides hold land in the middle of the battle.
    assert set(hmap.territories_at("1941-05-24").side) == {"allies", "axis"}


def test_new_takes_a_path_as_git_init_and_cargo_new_do(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["new", "maps/ww2/my_map"]) == 0
    folder = tmp_path / "maps" / "ww2" / "my_map"
    out = capsys.readouterr().out
    assert "made maps/ww2/my_map" in out and "-o my_map.mp4" in out
    assert tomllib.loads((folder / "map.toml").read_text())["title"] == "My map"
    assert main(["check", str(folder)]) == 0
    # With --dir, the path is inside it; an absolute path is taken as it is.
    assert new_map("sub/other", tmp_path / "base") == tmp_path / "base" / "sub" / "other"
    assert new_map(tmp_path / "abs_map") == tmp_path / "abs_map"
    assert (tmp_path / "abs_map" / "map.toml").is_file()
    with pytest.raises(OptionError, match="already exists"):
        new_map("maps/ww2/my_map")
    for bad in ("maps/../x", "maps/-x", "maps/my map"):
        with pytest.raises(OptionError, match="not a usable map name"):
            new_map(bad)
