"""Text an organizer writes in the event's content languages: one value, many languages.

A `Translated` is an immutable map language → text ("zh", "ru", "en", "kk" …: the primary
subtag of a locale, so a fourth language is data, not a column). It is stored in one JSON
column through `TranslatedText`. Why a JSON map rather than a translations table: a text is
always read and written whole with its row (a criterion and its rubric, a round's name), JSON
is native on PostgreSQL and SQLite, a new language needs no migration, and no join or N+1 is
added to the pages that list many rows (the judge's sheet, the ranking screen).

Reading picks the reader's language, then the event's content languages in their fallback
order, then whatever is there; `pick` also says which language it took, so a page can mark a
fallback (`lang` attribute, "shown in Chinese").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence

from sqlalchemy import JSON
from sqlalchemy.types import TypeDecorator

LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")
DEFAULT_CONTENT_LANGUAGES: tuple[str, ...] = ("zh", "en")


def content_language(locale: object) -> str:
    """The content-language key of a UI locale: "zh_CN" → "zh", "ru_RU" → "ru", "en" → "en"."""
    return str(locale or "").strip().lower().replace("-", "_").split("_")[0]


class Translated(Mapping[str, str]):
    """An immutable language → text map; empty texts are not kept."""

    __slots__ = ("_texts",)

    def __init__(self, texts: Mapping[str, object] | None = None, /, **more: object) -> None:
        merged = dict(texts or {}, **more)
        self._texts: dict[str, str] = {
            content_language(language): str(text).strip()
            for language, text in merged.items()
            if text is not None and str(text).strip()
        }

    def __getitem__(self, language: str) -> str:
        return self._texts[language]

    def __iter__(self) -> Iterator[str]:
        return iter(self._texts)

    def __len__(self) -> int:
        return len(self._texts)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Mapping):
            return self._texts == dict(Translated(other))
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(sorted(self._texts.items())))

    def __repr__(self) -> str:
        return f"Translated({self._texts!r})"

    def order(self, locale: object, fallback: Iterable[str] = ()) -> list[str]:
        """The languages to try, best first: the reader's, the fallback order, then the rest."""
        wanted = [content_language(locale), *fallback, *DEFAULT_CONTENT_LANGUAGES]
        seen: list[str] = []
        for language in [*wanted, *sorted(self._texts)]:
            if language and language not in seen:
                seen.append(language)
        return seen

    def pick(self, locale: object, fallback: Iterable[str] = ()) -> tuple[str, str | None]:
        """(text, the language it is in) for a reader of `locale`; ("", None) when empty."""
        for language in self.order(locale, fallback):
            if language in self._texts:
                return self._texts[language], language
        return "", None

    def text(self, locale: object, fallback: Iterable[str] = ()) -> str:
        """The text for a reader of `locale` (see `pick`)."""
        return self.pick(locale, fallback)[0]

    def missing(self, languages: Iterable[str]) -> list[str]:
        """Which of `languages` have no text."""
        return [language for language in languages if language not in self._texts]

    def with_text(self, language: str, text: str | None) -> Translated:
        """A copy with one language set (or removed when `text` is empty)."""
        texts = dict(self._texts)
        texts[content_language(language)] = text or ""
        return Translated(texts)

    def as_dict(self) -> dict[str, str]:
        """A plain dict, keys sorted (JSON columns, API answers)."""
        return dict(sorted(self._texts.items()))


def translated(value: object) -> Translated:
    """A `Translated` from one (None, a mapping, or a plain string taken as language-less)."""
    if isinstance(value, Translated):
        return value
    if value is None:
        return Translated()
    if isinstance(value, Mapping):
        return Translated(value)
    raise TypeError(f"not a translated text: {value!r}")


class TranslatedText(TypeDecorator):
    """A JSON column holding a `Translated` (a JSON object language → text)."""

    impl = JSON
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return translated(value).as_dict()

    def process_result_value(self, value, dialect):
        return Translated(value or {})


def valid_language_codes(codes: Sequence[str]) -> list[str]:
    """The codes that are not well-formed language subtags (two or three letters)."""
    return [code for code in codes if not LANGUAGE_CODE.match(code)]
