"""The ``histmap`` command (``python render.py`` is the same program)."""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading
import traceback
import warnings
from pathlib import Path

from . import __version__
from ._dates import to_date
from ._errors import HistmapError, HistmapWarning, MapError
from .api import HistMap, load_map
from .i18n import check_code, language
from .options import RenderOptions, parse_size

EPILOG = "MAP is a map folder or a built-in map's name (default: korean_war). Dates are YYYY-MM-DD."


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="histmap",
        epilog=EPILOG,
        description="Animated historical maps from a folder of plain data files. "
        "With no command, renders the built-in Korean War map.",
    )
    parser.add_argument("--version", action="version", version=f"histmap {__version__}")
    parser.add_argument("--debug", action="store_true", help="show the full traceback on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    _add_video_commands(sub)
    _add_other_commands(sub)
    _add_atlas_command(sub)
    _add_narrate_command(sub)
    _add_export_command(sub)
    _add_player_command(sub)
    return parser


def _add_video_commands(sub) -> None:
    """``render`` and ``lesson``: the commands that make a video."""
    render = sub.add_parser(
        "render",
        help="render an animation (MP4, GIF or PNG frames)",
        description="Render the map as an animation. The extension of OUT "
        "picks the format: .mp4, .gif, or a folder for numbered PNG frames. "
        "Without -o, writes frames/<map>.mp4 and frames/<map>.gif (the GIF shows the "
        "whole map throughout unless --camera is given).",
        epilog=EPILOG,
    )
    _map_arg(render)
    render.add_argument("-o", "--out", help="output file (.mp4, .gif) or folder (PNG frames)")
    _lang_arg(render)
    _video_args(render)
    render.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="draw the frames on a Dask cluster (pip install -e '.[distributed]')",
    )
    render.add_argument(
        "--captions",
        action="store_true",
        help="also write the captions as WebVTT beside the MP4 (OUT.vtt)",
    )

    lesson = sub.add_parser(
        "lesson",
        help="a lesson folder: video, GIF, captions, chapters, stills, web page",
        description="Write a folder that works offline: the animation as MP4 and GIF, "
        "poster.png, captions.vtt and captions.srt, chapters.vtt, one still per key event, "
        "index.html and lesson.json.",
        epilog=EPILOG,
    )
    _map_arg(lesson)
    lesson.add_argument("-o", "--out", help="the folder to write (default: <map>_lesson)")
    lesson.add_argument(
        "--lang",
        type=_langs,
        metavar="L1,L2,...",
        help="the languages of the lesson, e.g. en,fr,ko: a video, captions and a page in "
        "each (default: the map's language)",
    )
    _video_args(lesson)
    lesson.add_argument(
        "--poster",
        type=_date,
        metavar="DATE",
        help="the date of poster.png (default: the first frame)",
    )


def _add_other_commands(sub) -> None:
    """``still``, ``check``, ``info`` and ``new``."""
    still = sub.add_parser(
        "still",
        help="draw the map on one date (PNG, SVG or PDF)",
        description="Draw one frame: the map as it stood on DATE.",
        epilog=EPILOG,
    )
    still.add_argument("date", type=_date, metavar="DATE", help="the date, e.g. 1950-09-15")
    _map_arg(still)
    still.add_argument(
        "-o", "--out", help="output .png, .svg or .pdf (default: frames/<map>_<date>.png)"
    )
    _size_arg(still)
    _lang_arg(still)
    still.add_argument(
        "--extent",
        type=_extent,
        metavar="W,S,E,N",
        help="show this box, west,south,east,north in degrees (default: the whole map)",
    )
    _camera_arg(still, "fixed (default): the whole map; follow: frame that date's action")
    still.add_argument(
        "--events-since",
        type=_date,
        metavar="DATE",
        help="number the key events after DATE (at most 8), as an atlas page after a page "
        "of DATE lists them (default: the events of the last weeks)",
    )
    _add_check_and_info(sub)
    new = sub.add_parser(
        "new",
        help="make a new map folder to fill in",
        description="Create the map folder NAME (a name or a path): a commented map.toml, "
        "two example snapshots, an event, a place and a README. It checks and renders at once.",
    )
    new.add_argument(
        "name", metavar="NAME", help="the folder's name or path, e.g. my_map or maps/my_map"
    )
    new.add_argument("--dir", metavar="PATH", help="where to create it (default: here)")


def _add_check_and_info(sub) -> None:
    """``check`` and ``info``: what a map folder holds, and what is wrong with it."""
    check = sub.add_parser(
        "check",
        help="validate a map folder and list every problem",
        description="Check a map folder; exit status 0 when it is clean.",
        epilog=EPILOG,
    )
    _map_arg(check)
    _narration_arg(check)
    check.add_argument(
        "--lang",
        type=_lang,
        metavar="LANG",
        help="also list, as warnings, every text not translated into LANG",
    )
    info = sub.add_parser(
        "info", help="title, span, snapshot dates and events of a map", epilog=EPILOG
    )
    _map_arg(info)
    info.add_argument(
        "--lang",
        nargs="?",
        const="",
        type=lambda text: _lang(text) if text else text,
        metavar="LANG",
        help="alone: list the map's languages and how complete each is; with LANG: the "
        "map's texts in LANG",
    )


def _add_atlas_command(sub) -> None:
    """``atlas``: a series of dated pages."""
    atlas = sub.add_parser(
        "atlas",
        help="an atlas: one offline web page per date, with the map and its main events",
        description="Write a folder of web pages, one per date: the map (PNG, SVG, PDF), "
        "the title '<map> YYYY.MMDD', a heading, an intro, the numbered main events (the "
        "key events since the previous page, or those [[pages]] names), previous/next "
        "links and index.html with a timeline. Works offline.",
        epilog=EPILOG,
    )
    _map_arg(atlas)
    atlas.add_argument("-o", "--out", help="the folder to write (default: <map>_atlas)")
    atlas.add_argument(
        "--dates",
        type=_dates,
        metavar="D1,D2,...",
        help="the pages' dates (default: the map's [[pages]], else the ends of its phases)",
    )
    _size_arg(atlas)
    _lang_arg(atlas)
    atlas.add_argument("--quiet", action="store_true", help="no progress bar")


def _add_export_command(sub) -> None:
    """``export``: the territories and fronts of many instants for GIS tools."""
    export = sub.add_parser(
        "export",
        help="territories and fronts at regular instants, one time-stamped GIS file",
        description="Write the territories and fronts at many instants to one file with an "
        "ISO 'date' on every feature (QGIS's Temporal Controller, kepler.gl's time filter). "
        "OUT's extension picks the format: .geojson or .gpkg (GeoPackage).",
        epilog=EPILOG,
    )
    _map_arg(export)
    export.add_argument("-o", "--out", required=True, help="output .geojson or .gpkg")
    when = export.add_mutually_exclusive_group()
    when.add_argument(
        "--every", metavar="STEP", help="time between instants: 1d (default), 3d, 2w..."
    )
    when.add_argument("--dates", type=_dates, metavar="D1,D2,...", help="these instants only")
    export.add_argument("--workers", type=int, metavar="N", help="processes (default: all cores)")


def _add_player_command(sub) -> None:
    """``player``: the interactive map alone."""
    player = sub.add_parser(
        "player",
        help="an interactive map: date slider, play, zoom, the territories morphed at any date",
        description="Write a folder that works offline (double-click index.html, or any web "
        "server): the map at any date, morphed as in the video, with its events and captions.",
        epilog=EPILOG,
    )
    _map_arg(player)
    player.add_argument("-o", "--out", help="the folder to write (default: <map>_player)")
    _lang_arg(player)


def _video_args(parser: argparse.ArgumentParser) -> None:
    """Size and timing options shared by ``render`` and ``lesson``."""
    _size_arg(parser)
    parser.add_argument("--fps", type=int, help="frames per second (default: the map's, 24)")
    parser.add_argument(
        "--duration",
        type=float,
        metavar="SECONDS",
        help="length of the animation (default: the map's)",
    )
    parser.add_argument(
        "--from",
        dest="start",
        type=_date,
        metavar="DATE",
        help="first date (default: the map's start)",
    )
    parser.add_argument(
        "--to", dest="end", type=_date, metavar="DATE", help="last date (default: the map's end)"
    )
    parser.add_argument(
        "--pacing",
        choices=("story", "calendar"),
        default="story",
        help="story (default): pause on key events, hurry through quiet "
        "months; calendar: every day takes the same time",
    )
    parser.add_argument(
        "--workers", type=int, metavar="N", help="processes drawing frames (default: all cores)"
    )
    _narration_arg(parser)
    _camera_arg(
        parser,
        "follow: zoom in on each key event (default for MP4 and PNG frames); fixed: the "
        "whole map throughout (default for a GIF, alone or beside the MP4: GIFs stay "
        "small). Given, it holds for every output: --camera follow makes the GIF follow too",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def _narration_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--narration",
        metavar="DIR",
        help="a folder of voice clips named after event ids (inchon-landing.wav, .mp3, .ogg, "
        ".m4a, .flac): each plays when its event's caption appears, and the map waits for it "
        "(default: the map folder's narration/, if any)",
    )


def _add_narrate_command(sub) -> None:
    """``narrate``: the narrator's script, and a draft voice."""
    narrate = sub.add_parser(
        "narrate",
        help="a narration script to record (and a draft voice to time it)",
        description="Write DIR/script.md: each event's id (the clip's name), title, date, "
        "caption and time on screen, for a person to read aloud; record the clips, then "
        "render --narration DIR. With --voice, also draft clips spoken by espeak-ng "
        "(offline), to time the story before recording: replace them by a recording.",
        epilog=EPILOG,
    )
    _map_arg(narrate)
    narrate.add_argument("-o", "--out", help="the folder to write (default: <map>_narration)")
    narrate.add_argument(
        "--voice", action="store_true", help="also draft clips spoken by espeak-ng (offline)"
    )
    _video_args(narrate)


def _map_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "map",
        nargs="?",
        default=None,
        metavar="MAP",
        help="map folder or built-in map name (default: korean_war)",
    )


def _size_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--size",
        type=_size,
        metavar="WxH",
        help="frame size in pixels (default 1280x720; GIF alone 960x540)",
    )


def _lang_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--lang",
        type=_lang,
        metavar="LANG",
        help="the language of the texts, dates and words, e.g. fr or ko (default: the "
        "map's); texts the map does not translate stay in its own language",
    )


def _lang(text: str) -> str:
    try:
        return check_code(text.strip())
    except HistmapError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _langs(text: str) -> list[str]:
    return [_lang(part) for part in text.split(",") if part.strip()]
def _camera_arg(parser: argparse.ArgumentParser, text: str) -> None:
    parser.add_argument("--camera", choices=("follow", "fixed"), help=text)


def _extent(text: str) -> tuple[float, ...]:
    try:
        values = tuple(float(v) for v in text.split(","))
    except ValueError:
        values = ()
    if len(values) != 4:
        raise argparse.ArgumentTypeError(
            f"'{text}' is not a box: write WEST,SOUTH,EAST,NORTH in degrees, "
            "e.g. 125.5,36.5,128,38.5"
        )
    return values


def _size(text: str) -> tuple[int, int]:
    try:
        return parse_size(text)
    except HistmapError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _date(text: str):
    try:
        return to_date(text)
    except HistmapError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _dates(text: str) -> list:
    return [_date(part.strip()) for part in text.split(",") if part.strip()]


def main(argv: list[str] | None = None) -> int:
    args_list = sys.argv[1:] if argv is None else list(argv)
    # --debug may come anywhere: `histmap render --debug` as well as `histmap --debug render`.
    debug = "--debug" in args_list
    args_list = [a for a in args_list if a != "--debug"]
    parser = build_parser()
    args = parser.parse_args(args_list)
    if args.command is None:
        args = parser.parse_args([*args_list, "render"])
    args.debug = debug
    try:
        with _terminate_as_interrupt(), warnings.catch_warnings():
            warnings.showwarning = _show_warning
            return COMMANDS[args.command](args)
    except KeyboardInterrupt as exc:
        print(f"\ninterrupted: {_changed(exc)}", file=sys.stderr)
        return 130
    except _Terminated as exc:
        print(f"\nterminated: {_changed(exc)}", file=sys.stderr)
        return 128 + signal.SIGTERM
    except HistmapError as exc:
        if args.debug:
            traceback.print_exc()
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        if args.debug:
            traceback.print_exc()
        print(f"error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), file=sys.stderr)
        return 2
    except Exception as exc:
        if args.debug:
            traceback.print_exc()
        print(
            f"error: histmap failed unexpectedly ({type(exc).__name__}: {exc}); "
            "run it again with --debug for the traceback, and please report it",
            file=sys.stderr,
        )
        return 3


def _changed(exc: BaseException) -> str:
    """What an interrupted command changed: nothing, unless it stopped just as an output was
    being swapped in (then the library noted which)."""
    notes = getattr(exc, "__notes__", [])
    return "; ".join([*notes, "nothing else was changed"]) if notes else "no output was changed"


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """histmap's own warnings as one line, ``warning: ...``; others as Python shows them."""
    if issubclass(category, HistmapWarning):
        print(f"warning: {message}", file=sys.stderr)
    else:
        sys.stderr.write(warnings.formatwarning(message, category, filename, lineno, line))


class _Terminated(BaseException):
    """SIGTERM, raised like Ctrl-C so that partial outputs are removed."""


@contextlib.contextmanager
def _terminate_as_interrupt():
    """While a command runs, SIGTERM unwinds it (removing partial outputs) instead of killing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def terminate(signum, frame):
        raise _Terminated

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


class _ProgressBar:
    """A tqdm bar fed by the library's progress callback (the library never prints)."""

    def __init__(self, label: str, quiet: bool):
        self.label, self.quiet, self.bar = label, quiet, None
        self.unit = "frame"

    def __call__(self, done: int, total: int) -> None:
        if self.quiet:
            return
        if self.bar is None:
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit=self.unit, desc=self.label, file=sys.stderr)
        self.bar.update(done - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _video_options(args: argparse.Namespace) -> RenderOptions:
    """The options of ``render`` and ``lesson``, checked (before the map is loaded)."""
    return RenderOptions(
        size=args.size,
        fps=args.fps,
        duration=args.duration,
        start=args.start,
        end=args.end,
        pacing=args.pacing,
        workers=args.workers,
        captions=getattr(args, "captions", False),
        scheduler=getattr(args, "scheduler", None),
        narration=args.narration,
        camera=args.camera,
    )


def _render(args: argparse.Namespace) -> int:
    options = _video_options(args)
    hmap = _load(args.map, args.lang)
    earlier = _earlier_frames(args.out, hmap.name)
    progress = _ProgressBar(f"Rendering {hmap.name}", args.quiet)
    try:
        paths = hmap.render(args.out, options, progress=progress)
    finally:
        progress.close()
    for path in paths:
        print(f"wrote {path}")
    if earlier:
        print(f"replaced {earlier} frames of an earlier render in {args.out}")
    return 0


def _earlier_frames(out: str | None, name: str) -> int:
    """How many PNG frames of an earlier render of this map the folder ``out`` holds."""
    from .encode import format_of

    if out is None or format_of(out) != "png" or not Path(out).is_dir():
        return 0
    return len(list(Path(out).glob(f"{name}_[0-9][0-9][0-9][0-9][0-9].png")))


def _lesson(args: argparse.Namespace) -> int:
    options = _video_options(args)
    languages = args.lang or []
    hmap = _load(args.map, languages[0] if languages else None)
    for other in languages[1:]:
        _say_untranslated(load_map(args.map, other))
    progress = _ProgressBar(f"Rendering {hmap.name}", args.quiet)
    try:
        folder = hmap.lesson(
            args.out or f"{hmap.name}_lesson",
            options,
            poster=args.poster,
            progress=progress,
            languages=languages,
        )
    finally:
        progress.close()
    print(f"wrote the lesson to {folder}/ (open {folder / 'index.html'})")
    return 0


def _still(args: argparse.Namespace) -> int:
    options = RenderOptions(size=args.size, camera=args.camera)
    hmap = _load(args.map, args.lang)
    path = hmap.still(
        args.date, args.out, options, events_since=args.events_since, extent=args.extent
    )
    print(f"wrote {path}")
    return 0


def _atlas(args: argparse.Namespace) -> int:
    options = RenderOptions(size=args.size)
    hmap = _load(args.map, args.lang)
    progress = _ProgressBar(f"Drawing the pages of {hmap.name}", args.quiet)
    progress.unit = "page"
    try:
        folder = hmap.atlas(
            args.out or f"{hmap.name}_atlas", options, dates=args.dates, progress=progress
        )
    finally:
        progress.close()
    print(f"wrote the atlas to {folder}/ (open {folder / 'index.html'})")
    return 0


def _export(args: argparse.Namespace) -> int:
    from .export import format_of, parse_every

    format_of(Path(args.out))  # refused before the map is loaded
    if args.every is not None:
        parse_every(args.every)
    hmap = _load(args.map)
    path = hmap.export(args.out, every=args.every, dates=args.dates, workers=args.workers)
    print(f"wrote {path}")
    return 0


def _player(args: argparse.Namespace) -> int:
    hmap = _load(args.map, args.lang)
    folder = hmap.player(args.out or f"{hmap.name}_player")
    print(f"wrote the player to {folder}/ (open {folder / 'index.html'})")
    return 0


def _check(args: argparse.Namespace) -> int:
    try:
        hmap = load_map(args.map, args.lang)
    except MapError as exc:
        if args.debug:
            traceback.print_exc()
        for problem in exc.problems:
            print(f"{problem.severity}: {problem}")
        print(f"{len(exc.problems)} problem(s) found")
        return 1
    for problem in hmap.warnings + hmap.text_warnings + hmap.untranslated:
        print(f"warning: {problem}")
    print(
        f"{hmap.name}: OK ({len(hmap.snapshot_dates)} snapshots, {len(hmap.events)} events, "
        f"{len(hmap.places)} places)"
    )
    return 1 if _narration_problems(hmap, args.narration) else 0


def _narration_problems(hmap, narration: str | None) -> int:
    """Print the problems of the narration clips a render would play; how many."""
    clips, problems = hmap.narration(narration)
    for problem in problems:
        print(f"error: {problem}")
    if problems:
        print(f"{len(problems)} problem(s) found in the narration")
    elif clips:
        print(f"narration: {len(clips)} clip(s), {sum(c.seconds for c in clips):.1f} s")
    return len(problems)


def _narrate(args: argparse.Namespace) -> int:
    options = _video_options(args)
    hmap = _load(args.map)
    folder = hmap.narrate(args.out or f"{hmap.name}_narration", options, voice=args.voice)
    print(f"wrote the narration script to {folder / 'script.md'}")
    if args.voice:
        print(f"and draft clips (espeak-ng, for timing): histmap render --narration {folder}")
    return 0


def _info(args: argparse.Namespace) -> int:
    if args.lang == "":
        return _info_languages(_load(args.map))
    hmap = _load(args.map, args.lang)
    start, end = hmap.span
    tr = language(hmap.lang)
    print(hmap.title)
    if hmap.data.spec.subtitle:
        print(hmap.data.spec.subtitle)
    print(f"span: {tr.date(start)} to {tr.date(end)}")
    print("sides: " + ", ".join(f"{s.id} ({s.name}, {s.colour})" for s in hmap.sides))
    print(
        f"snapshots ({len(hmap.snapshot_dates)}): " + ", ".join(str(d) for d in hmap.snapshot_dates)
    )
    print(f"events ({len(hmap.events)}):")
    for row in hmap.events.itertuples():
        print(f"  {row.date}  {row.title}")
    return 0


def _info_languages(hmap: HistMap) -> int:
    """The languages of a map, its own first, and how much of its texts each has."""
    from babel import Locale

    own = hmap.data.spec.default_lang
    print(f"{hmap.title}: {len(hmap.data.texts.texts)} texts")
    for code, share in hmap.languages.items():
        name = Locale.parse(code, sep="-").get_display_name("en") or code
        note = ", the map's own" if code == own else ""
        print(f"  {code}  {name}: {100 * share:.0f}% of the texts{note}")
    return 0


def _new(args: argparse.Namespace) -> int:
    from .scaffold import new_map

    folder = new_map(args.name, args.dir)
    print(f"made {folder}")
    print(f"  check it:   histmap check {folder}")
    print(f"  preview:    histmap still 1941-05-25 {folder}")
    print(f"  render it:  histmap render {folder} -o {folder.name}.mp4")
    return 0


def _load(map_ref: str | None, lang: str | None = None) -> HistMap:
    hmap = load_map(map_ref, lang)
    for problem in hmap.warnings:
        print(f"warning: {problem}", file=sys.stderr)
    _say_untranslated(hmap)
    return hmap


def _say_untranslated(hmap: HistMap) -> None:
    """One line on the texts not in the language asked for (``check --lang`` lists them)."""
    missing = hmap.untranslated
    if missing:
        lang, own = hmap.lang, hmap.data.spec.default_lang
        print(
            f"warning: {len(missing)} of the map's {len(hmap.data.texts.texts)} texts are "
            f"not translated into '{lang}' and are shown in '{own}' (histmap check "
            f"{hmap.data.spec.folder} --lang {lang} lists them)",
            file=sys.stderr,
        )


COMMANDS = {
    "render": _render,
    "lesson": _lesson,
    "still": _still,
    "atlas": _atlas,
    "export": _export,
    "player": _player,
    "check": _check,
    "info": _info,
    "new": _new,
    "narrate": _narrate,
}

if __name__ == "__main__":
    raise SystemExit(main())
