"""Validate stage: typed models of the content. Unknown keys are errors, never silent no-ops."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from brochure import codes
from brochure.content.layouts import LayoutEntry  # the model of data/layouts.yaml's entries
from brochure.content.plaintext import ascii_problem, text_problem


def _one_line(value: object) -> object:
    if isinstance(value, str) and (problem := text_problem(value)) is not None:
        raise ValueError(f"the text {problem}")
    return value


def _paragraphs(value: object) -> object:
    if isinstance(value, str) and (problem := text_problem(value, newlines=True)) is not None:
        raise ValueError(f"the text {problem}")
    return value


_Stripped = StringConstraints(strip_whitespace=True, min_length=1)
# A name, title, heading, label, phone number, address line, list item or table cell: one
# line, no invisible or control character (checked before the spaces around it are cut).
SingleLine = Annotated[str, _Stripped, BeforeValidator(_one_line)]
# Paragraphs (a text block, a callout, a disclaimer, a note): line breaks are plain newlines.
Prose = Annotated[str, _Stripped, BeforeValidator(_paragraphs)]
Ident = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=64)]

EMAIL = re.compile(r"^[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+$")


def _web_address(value: str) -> str:
    problem = ascii_problem(value, "a web address",
                            " (an international domain in its xn-- form, other letters "
                            "percent-encoded)")
    if problem is not None:
        raise ValueError(f"the address {problem}")
    return value


def _email_address(value: str) -> str:
    problem = ascii_problem(value, "an e-mail address",
                            " (an international domain in its xn-- form)")
    if problem is not None:
        raise ValueError(f"the address {problem}")
    if len(value) > 254 or not EMAIL.match(value):
        raise ValueError(f"'{value}' is not an e-mail address; write it like "
                         "name@example.com")
    return value


# A web address as printed (www.example.test) or linked (https://...): plain ASCII.
WebAddress = Annotated[SingleLine, AfterValidator(_web_address)]
EmailAddress = Annotated[SingleLine, AfterValidator(_email_address)]
BOOKING_URL_LIMIT = 300  # characters a booking QR code holds at a size a phone reads


def _booking_address(value: str) -> str:
    if not value.lower().startswith(("https://", "http://")) or len(value) < 9:
        raise ValueError(f"'{value}' is not a web address; write one starting with https://")
    if len(value) > BOOKING_URL_LIMIT:
        raise ValueError(f"is {len(value):,} characters long; at most {BOOKING_URL_LIMIT} fit "
                         "in the booking QR code; shorten it")
    return value


BookingAddress = Annotated[WebAddress, AfterValidator(_booking_address)]


class Strict(BaseModel):
    """Base of every content model: unknown keys are errors, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Reviewed(Strict):
    """Who last checked a piece of content against its sources, and when."""

    on: dt.date
    by: SingleLine


Hash = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{12,64}$")]
LanguageCode = Annotated[str, StringConstraints(pattern=r"^[a-z]{2}(-[A-Z]{2})?$")]


class TranslationRecord(Strict):
    """Where a translation comes from and whether a native-speaking clinician has checked it.

    ``source`` is the hash of the default-language file it was translated from (shown by
    ``brochure translations``); when that file changes, the translation is stale.
    """

    source: Hash
    reviewed: Reviewed | None = None
    note: Prose | None = None


class Source(Strict):
    """A document the facts and figures come from."""

    id: Ident
    title: SingleLine
    publisher: SingleLine | None = None
    url: WebAddress | None = None
    accessed: dt.date | None = None  # the day the clinic read the source at its url
    note: Prose | None = None


class BlockBase(Strict):
    """Fields every block shares."""

    heading: SingleLine | None = None
    # True for advice that does not come from the listed sources but is general,
    # well-established guidance (for example when to seek urgent care).
    general_guidance: bool = False


class TextBlock(BlockBase):
    """Paragraphs with **bold**, *italic*, links and bullet lists (a small Markdown subset)."""

    kind: Literal["text"]
    text: Prose


class TableBlock(BlockBase):
    """A small table: a bold header row and up to four columns."""

    kind: Literal["table"]
    caption: SingleLine | None = None
    header: Annotated[list[SingleLine], Field(min_length=1, max_length=4)]
    rows: Annotated[list[list[SingleLine]], Field(min_length=1)]

    @model_validator(mode="after")
    def _rows_match_header(self) -> TableBlock:
        for i, row in enumerate(self.rows):
            if len(row) != len(self.header):
                raise ValueError(
                    f"rows[{i}] has {len(row)} cells but the header has {len(self.header)}; "
                    "give every row one cell per column"
                )
        return self


class StepsBlock(BlockBase):
    """Things that happen in order, printed as numbered steps."""

    kind: Literal["steps"]
    intro: SingleLine | None = None
    items: Annotated[list[SingleLine], Field(min_length=1)]


class ChecklistBlock(BlockBase):
    """Items with empty tick boxes a patient can mark with a pen."""

    kind: Literal["checklist"]
    intro: SingleLine | None = None
    items: Annotated[list[SingleLine], Field(min_length=1)]
    # "contraindications": who must tell the clinic before needling; every brochure needs one.
    role: Literal["contraindications"] | None = None


class CalloutBlock(BlockBase):
    """A boxed message that must stand out, such as when to call the clinic."""

    kind: Literal["callout"]
    tone: Literal["call-us", "note", "urgent"] = "note"
    title: SingleLine
    text: Prose


class Figure(Strict):
    """One reported range, such as 'Chronic low back pain: 50-75 %'."""

    label: SingleLine
    low: Annotated[float, Field(ge=0, le=100)]
    high: Annotated[float, Field(ge=0, le=100)] | None = None
    words: SingleLine
    source: Ident | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Figure:
        if self.high is not None and self.high < self.low:
            raise ValueError(f"high ({self.high:g}) is below low ({self.low:g}); swap them")
        return self


class FiguresBlock(BlockBase):
    """Reported ranges drawn as a horizontal bar chart, with a text equivalent."""

    kind: Literal["figures"]
    measure: SingleLine
    caption: SingleLine | None = None
    items: Annotated[list[Figure], Field(min_length=1, max_length=12)]


Block = Annotated[
    TextBlock | TableBlock | StepsBlock | ChecklistBlock | CalloutBlock | FiguresBlock,
    Field(discriminator="kind"),
]
BLOCK_KINDS = ("text", "table", "steps", "checklist", "callout", "figures")


class Section(Strict):
    """A titled run of blocks inside a condition brochure."""

    title: SingleLine
    blocks: Annotated[list[Block], Field(min_length=1)]


class Topic(Strict):
    """A reusable part of a brochure (introduction, safety, aftercare, ...)."""

    title: SingleLine
    key_message: Prose
    blocks: Annotated[list[Block], Field(min_length=1)]
    sources: list[Source] = []
    reviewed: Reviewed
    translation: TranslationRecord | None = None


class Condition(Strict):
    """One brochure: a condition's own sections plus the topics it includes, in order."""

    title: SingleLine
    subtitle: SingleLine | None = None
    key_message: Prose
    sections: list[Section] = []
    topics: Annotated[list[Ident], Field(min_length=1)]
    sources: list[Source] = []
    reviewed: Reviewed
    keywords: list[SingleLine] = []
    translation: TranslationRecord | None = None
    # Where it hurts, marked on the cover's body map (see bodymap.REGIONS for the names).
    body_regions: list[Ident] = []


def _known_language(value: str) -> str:
    from brochure.content.languages import is_known, unknown_message

    if not is_known(value):
        raise ValueError(unknown_message(value))
    return value


KnownLanguage = Annotated[str, AfterValidator(_known_language)]
PaperFamily = Literal["letter", "a4"]


class Defaults(Strict):
    """What a build uses when the command line does not say.

    ``layouts`` and ``papers`` make the default build matrix: ``brochure build`` with no
    options builds every condition in each of them. ``paper`` is the paper ``check`` uses
    and the only one built when ``papers`` is not given.
    """

    paper: PaperFamily = "letter"
    papers: Annotated[list[PaperFamily], Field(min_length=1)] | None = None
    layouts: Annotated[list[Ident], Field(min_length=1)] = ["handout"]
    language: KnownLanguage = "en"
    # The languages 'brochure build' makes (default: [language]); each but the default one
    # reads the parallel files <id>.<lang>.yaml.
    languages: Annotated[list[KnownLanguage], Field(min_length=1)] | None = None

    # A language's own default layouts, when not all of ``layouts`` suit it: translations
    # run longer than the text a fixed-size layout (the tri-fold) was written to hold.
    layouts_by_language: dict[KnownLanguage, Annotated[list[Ident], Field(min_length=1)]] = {}

    @field_validator("layouts_by_language")
    @classmethod
    def _known_language_layouts(cls, value: dict[str, list[str]],
                                info: ValidationInfo) -> dict[str, list[str]]:
        for names in value.values():
            cls._known_layouts(names, info)
        return value

    def layouts_for(self, language: str) -> list[str]:
        """Return the layouts a default build makes in ``language``."""
        return self.layouts_by_language.get(language, self.layouts)

    @field_validator("languages")
    @classmethod
    def _once(cls, value: list[str] | None) -> list[str] | None:
        if value is not None and len(set(value)) != len(value):
            raise ValueError("a language is listed twice; keep one")
        return value

    @field_validator("layouts")
    @classmethod
    def _known_layouts(cls, value: list[str], info: ValidationInfo) -> list[str]:
        from brochure.content.layouts import layouts  # the package's layout table
        from brochure.errors import suggest

        # The clinic's own layouts, by id, as ``validate`` passes them from the same file.
        known = list(dict.fromkeys([*layouts(), *(info.context or {}).get("layouts", ())]))
        for name in value:
            if name not in known:
                raise ValueError(f"unknown layout '{name}'{suggest(name, set(known))}; list "
                                 f"any of: {', '.join(known)}")
        if len(set(value)) != len(value):
            raise ValueError("a layout is listed twice; keep one")
        return value

    @property
    def matrix_papers(self) -> list[str]:
        """Return the papers a default build makes."""
        return list(dict.fromkeys(self.papers)) if self.papers else [self.paper]

    @property
    def matrix_languages(self) -> list[str]:
        """Return the languages a default build makes."""
        return list(self.languages) if self.languages else [self.language]


class LanguageThresholds(Strict):
    """Reading-ease limits for one language (higher scores are easier to read)."""

    ease_warning: Annotated[float, Field(ge=0, le=120)] = 60
    ease_error: Annotated[float, Field(ge=0, le=120)] = 50


# Spanish: Fernandez-Huerta on the INFLESZ scale (65-80 "bastante facil", under 55 "algo
# dificil"); French: Kandel-Moles on Flesch's scale (60-70 "standard", under 50 "difficult").
DEFAULT_THRESHOLDS = {
    "es": LanguageThresholds(ease_warning=65, ease_error=55),
    "fr": LanguageThresholds(ease_warning=60, ease_error=50),
}


def _ignorable(value: str) -> str:
    why = codes.problem(value)
    if why is not None:
        raise ValueError(why)
    return value.strip().upper()


# A finding code (brochure.codes) that check.ignore leaves out; S codes cannot be.
IgnoredCode = Annotated[str, AfterValidator(_ignorable)]


class CheckSettings(Strict):
    """Thresholds for ``brochure check``; the defaults follow health-literacy guidance."""

    grade_warning: Annotated[float, Field(gt=0)] = 8
    grade_error: Annotated[float, Field(gt=0)] = 10
    review_months: Annotated[int, Field(ge=1)] = 12
    passive_warning: Annotated[float, Field(ge=0, le=1)] = 0.2
    words_per_heading: Annotated[int, Field(ge=20)] = 150
    # Reading-ease thresholds for translations, per language, on the scale of that
    # language's own formula (see readability_i18n.py): a score below ``ease_warning``
    # is a warning, below ``ease_error`` an error.
    languages: dict[LanguageCode, LanguageThresholds] = {}
    # Finding codes every command leaves out, as --ignore does: check, build and serve.
    ignore: list[IgnoredCode] = []

    def thresholds(self, language: str) -> LanguageThresholds:
        """Return the reading-ease thresholds for ``language`` (the defaults when not set)."""
        if language in self.languages:
            return self.languages[language]
        return DEFAULT_THRESHOLDS.get(language.split("-")[0], LanguageThresholds())


HexColour = Annotated[str, StringConstraints(pattern=r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")]


class Colours(Strict):
    """The brand palette; every text/background pair it makes is checked for contrast."""

    primary: HexColour = "#1d5f8a"  # headings, accents, chart bars
    accent: HexColour = "#8a4b08"  # the when-to-call callout
    text: HexColour = "#1f2933"  # body text: dark, not pure black
    tint: HexColour = "#e6f0f7"  # key message and table header background


Percent = Annotated[float, Field(ge=0, le=100)]
Cmyk = Annotated[list[Percent], Field(min_length=4, max_length=4)]


class CmykColours(Strict):
    """Exact CMYK values (in percent) a printer supplied for the brand colours."""

    primary: Cmyk | None = None
    accent: Cmyk | None = None
    tint: Cmyk | None = None


class PrintShop(Strict):
    """How the print-shop PDF/X-4 files are coloured: the press profile, exact CMYK values."""

    # A CMYK ICC profile inside the project (the press condition the printer names);
    # default: the Artifex CMYK SWOP profile shipped with brochure.
    profile: Annotated[str, StringConstraints(pattern=r"(?i)^[^/\\].*\.(icc|icm)$")] | None = None
    cmyk: CmykColours = CmykColours()


class Logo(Strict):
    """The clinic's logo: an SVG or PNG inside the project, with its alternative text."""

    file: Annotated[str, StringConstraints(pattern=r"(?i)^[^/\\].*\.(svg|png)$")]
    alt: SingleLine


class Contact(Strict):
    """How patients reach the clinic."""

    phone: SingleLine
    website: WebAddress
    email: EmailAddress | None = None
    # The booking QR code holds at most a few hundred characters at a size a phone reads.
    booking_url: BookingAddress | None = None


class Location(Strict):
    """One place the clinic sees patients."""

    id: Ident
    name: SingleLine | None = None
    address: SingleLine
    phone: SingleLine | None = None
    hours: list[SingleLine] = []


class Practitioner(Strict):
    """Someone who treats patients, printed on the back of a brochure.

    ``id`` names them for ``brochure personalise --practitioner``; ``email`` is where a
    patient's reply to a personal copy goes.
    """

    id: Ident | None = None
    name: SingleLine
    role: SingleLine
    email: EmailAddress | None = None


class MailSettings(Strict):
    """How ``brochure send`` words its e-mails."""

    # The patient's name in the subject and the attachment's file name: off by default,
    # since both show in mail server logs and in the recipient's list of messages.
    show_patient_name: bool = False


class LocationText(Strict):
    """A location's texts in another language."""

    name: SingleLine | None = None
    hours: list[SingleLine] | None = None


class PractitionerText(Strict):
    """A practitioner's texts in another language."""

    role: SingleLine


class ClinicTranslation(Strict):
    """``clinic.<lang>.yaml``: the clinic's own texts in another language.

    Names, numbers, addresses and colours stay in clinic.yaml; only words a patient reads
    are translated. Texts left out print as they are in clinic.yaml.
    """

    translation: TranslationRecord
    tagline: SingleLine | None = None
    disclaimer: Prose | None = None
    logo_alt: SingleLine | None = None
    locations: dict[Ident, LocationText] = {}
    practitioners: dict[Ident, PractitionerText] = {}  # by id: the role, e.g. "fisioterapeuta"
    emergency_words: SingleLine | None = None  # what the emergency number reaches
    after_hours: Prose | None = None  # what to do when the clinic is closed


class Emergency(Strict):
    """The local emergency number, printed in every when-to-call and urgent box."""

    number: SingleLine  # what to dial: 911, 999, 112, 000 ...
    words: SingleLine  # what the number reaches, in a few plain words: "ambulance, fire or police"


class Clinic(Strict):
    """The clinic's brand file: printed on every brochure."""

    name: SingleLine
    tagline: SingleLine | None = None
    logo: Logo | None = None
    colours: Colours = Colours()
    contact: Contact
    locations: Annotated[list[Location], Field(min_length=1)]
    practitioners: list[Practitioner] = []
    mail: MailSettings = MailSettings()
    disclaimer: Prose
    emergency: Emergency
    after_hours: Prose  # what to do when the clinic is closed
    defaults: Defaults = Defaults()
    check: CheckSettings = CheckSettings()
    print_shop: PrintShop = PrintShop()
    # The clinic's own layouts, by id: the keys of a package layout (data/layouts.yaml),
    # a template in the project's templates/ and a stylesheet in its styles/.
    layouts: dict[Ident, LayoutEntry] = {}

    @model_validator(mode="after")
    def _unique_locations(self) -> Clinic:
        ids = [loc.id for loc in self.locations]
        for i, loc_id in enumerate(ids):
            if loc_id in ids[:i]:
                raise ValueError(f"locations[{i}]: location id '{loc_id}' is used twice")
        people = [person.id for person in self.practitioners]
        for i, person_id in enumerate(people):
            if person_id is not None and person_id in people[:i]:
                raise ValueError(f"practitioners[{i}]: practitioner id '{person_id}' is "
                                 "used twice")
        return self

    def location(self, location_id: str | None = None) -> Location:
        """Return the location with ``location_id`` (the first when None)."""
        if location_id is None:
            return self.locations[0]
        for loc in self.locations:
            if loc.id == location_id:
                return loc
        raise KeyError(location_id)

    @property
    def phone(self) -> str:
        """Return the clinic's main phone number."""
        return self.contact.phone

    @property
    def website(self) -> str:
        """Return the clinic's website."""
        return self.contact.website

    @property
    def email(self) -> str | None:
        """Return the clinic's e-mail address, if it has one."""
        return self.contact.email
