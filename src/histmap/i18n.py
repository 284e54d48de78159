"""The words histmap itself writes, in the reader's language, and dates, years and
distances as that language writes them.

The words ("Main events", "Front line", the legend's entries, the lesson's and the atlas's
page words) come from the package's gettext catalogue, ``locales/<lang>/LC_MESSAGES/
histmap.po`` (compiled to ``histmap.mo`` beside it); a language with no catalogue gets
the English words. Dates, numbers and units follow the Unicode CLDR, through Babel, for
any language Babel knows. The map's own texts are translated in its folder, not here
(see :mod:`histmap.loader` and docs/format.md).

>>> fr = language("fr")
>>> fr.date(dt.date(1950, 9, 15)), fr.gettext("Main events")
('15 septembre 1950', 'Principaux événements')
>>> language("ko").date(dt.date(1950, 9, 15))
'1950년 9월 15일'
>>> language("en").date(dt.date(1950, 6, 5)), language("en").date(dt.date(5, 6, 1))
('5 June 1950', '1 June 5')
"""

from __future__ import annotations

import datetime as dt
import gettext
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ._errors import OptionError

DEFAULT = "en"
"""The language of a map that does not say, and of histmap's own words."""
CATALOGUES = ("en", "fr", "ko")
"""The languages histmap's own words are translated into."""
LOCALES = Path(__file__).parent / "locales"
DOMAIN = "histmap"
CLDR_LOCALE = {"en": "en_GB"}
"""Where histmap writes a language as one of its countries does: English dates day first
("15 September 1950"), as histmap always has."""


def N_(message: str) -> str:
    """``message``, marked for the catalogue: translated where it is used, with
    :meth:`Language.gettext` (for words listed before their language is known)."""
    return message


def check_code(code: str) -> str:
    """``code`` if it names a language Babel knows (``fr``, ``ko``, ``pt-BR``), else an
    :class:`OptionError` saying so.

    >>> check_code("fr")
    'fr'
    >>> check_code("klingon")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    histmap._errors.OptionError: 'klingon' is not a language code: ...
    """
    from babel import Locale, UnknownLocaleError

    try:
        Locale.parse(code, sep="-" if "-" in code else "_")
    except (UnknownLocaleError, ValueError, TypeError):
        raise OptionError(
            f"'{code}' is not a language code: use a code like 'en', 'fr' or 'ko'"
        ) from None
    return code


@dataclass(frozen=True)
class Language:
    """One language: histmap's words in it, and its way of writing dates and numbers."""

    code: str
    _words: gettext.NullTranslations = field(repr=False, compare=False)

    @property
    def locale(self) -> str:
        """The CLDR locale its dates and numbers are written in."""
        return CLDR_LOCALE.get(self.code, self.code.replace("-", "_"))

    def gettext(self, message: str) -> str:
        """``message``, one of histmap's own words, in this language."""
        return self._words.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """The form of a message for ``n`` things, in this language."""
        return self._words.ngettext(singular, plural, n)

    def date(self, day: dt.date) -> str:
        """A date as a reader says it: "15 September 1950", "15 septembre 1950"."""
        from babel.dates import format_date

        return format_date(day, "long", locale=self.locale)

    def short_date(self, day: dt.date) -> str:
        """A date in few characters, the month abbreviated where the language does:
        "15 Sept 1950", "15 sept. 1950", "1950년 9월 15일"."""
        from babel.dates import format_skeleton

        return format_skeleton("yMMMd", day, locale=self.locale)

    def year(self, year: int) -> str:
        """A year as a timeline labels it: "1951", "1951년"."""
        from babel.dates import format_skeleton

        return format_skeleton("y", dt.date(year, 1, 1), locale=self.locale)

    def km(self, km: float) -> str:
        """A distance in kilometres, as its scale bar says it: "300 km", "300km"."""
        from babel.units import format_unit

        return format_unit(km, "length-kilometer", "short", locale=self.locale)

    def number(self, value: float) -> str:
        """A number with this language's separators: "1,234", "1 234"."""
        from babel.numbers import format_decimal

        return format_decimal(value, locale=self.locale)

    def percent(self, share: float) -> str:
        """A share of 1 as a whole percent, as this language writes it: "28%", "28 %"."""
        from babel.numbers import format_percent

        return format_percent(share, locale=self.locale)


@lru_cache(maxsize=16)
def language(code: str = DEFAULT) -> Language:
    """The :class:`Language` of ``code`` (its words English where histmap has no catalogue)."""
    words = gettext.translation(
        DOMAIN, localedir=str(LOCALES), languages=[code.replace("-", "_")], fallback=True
    )
    return Language(check_code(code), words)
