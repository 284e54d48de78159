"""The story's overlays in a video: which markers are on the map, and for how long."""

import numpy as np

from histmap import story as story_module
from histmap._dates import to_day


def _marker_keys(story, indices) -> set:
    return {
        (*np.round(story.path(i)[-1], 3), story.events[i].side, story.events[i].kind)
        for i in indices
    }


def test_a_videos_markers_stay_while_read_and_leave_a_month_after_their_event(korea):
    plan = korea.plan(size=(320, 180), duration=120, fps=24, camera="fixed")
    story, schedule = plan.story, plan.story.schedule
    spans = [(to_day(e.date), to_day(e.end_date)) for e in story.events]
    places = [i for i, e in enumerate(story.events) if len(story.path(i)) == 1]
    # While its caption is read, an event's marker is on the map.
    for window in schedule.captions:
        if window.event in places:
            t = (window.start + window.end) / 2
            _, markers = story.overlays(float(schedule.day_at(t)), t)
            shown = {(round(m.x, 3), round(m.y, 3), m.side, m.kind) for m in markers}
            assert _marker_keys(story, [window.event]) <= shown
    # Later, only the events of the last MARKER_DAYS (or still being read) keep theirs.
    read = {w.event: w.end for w in schedule.captions}
    counts = []
    for t in np.linspace(10, 119, 40):
        day = float(schedule.day_at(t))
        _, markers = story.overlays(day, t)
        recent = [
            i
            for i in places
            if spans[i][0] <= day
            and (
                spans[i][1] + story_module.MARKER_DAYS >= day - 1
                or read.get(i, 0) + story_module.FADE_OUT_SECONDS >= t
                or schedule.time_of(spans[i][1] + story_module.MARKER_DAYS)
                + story_module.FADE_OUT_SECONDS
                >= t
            )
        ]
        shown = {(round(m.x, 3), round(m.y, 3), m.side, m.kind) for m in markers}
        assert shown <= _marker_keys(story, recent)
        counts.append(len(markers))
    # Before, every marker since June 1950 stayed: 28 on the map by January 1952.
    assert max(counts) <= 12
