"""Validate stage: typed models of the content. Unknown keys are errors, never silent no-ops."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Ident = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=64)]


class Strict(BaseModel):
    """Base of every content model: unknown keys are errors, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Reviewed(Strict):
    """Who last checked a piece of content against its sources, and when."""

    on: dt.date
    by: Text


class Source(Strict):
    """A document the facts and figures come from."""

    id: Ident
    title: Text
    publisher: Text | None = None
    url: Text | None = None
    accessed: dt.date | None = None  # the day the clinic read the source at its url
    note: Text | None = None


class BlockBase(Strict):
    """Fields every block shares."""

    heading: Text | None = None
    # True for advice that does not come from the listed sources but is general,
    # well-established guidance (for example when to seek urgent care).
    general_guidance: bool = False


class TextBlock(BlockBase):
    """Paragraphs with **bold**, *italic*, links and bullet lists (a small Markdown subset)."""

    kind: Literal["text"]
    text: Text


class TableBlock(BlockBase):
    """A small table: a bold header row and up to four columns."""

    kind: Literal["table"]
    caption: Text | None = None
    header: Annotated[list[Text], Field(min_length=1, max_length=4)]
    rows: Annotated[list[list[Text]], Field(min_length=1)]

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
    intro: Text | None = None
    items: Annotated[list[Text], Field(min_length=1)]


class ChecklistBlock(BlockBase):
    """Items with empty tick boxes a patient can mark with a pen."""

    kind: Literal["checklist"]
    intro: Text | None = None
    items: Annotated[list[Text], Field(min_length=1)]
    # "contraindications": who must tell the clinic before needling; every brochure needs one.
    role: Literal["contraindications"] | None = None


class CalloutBlock(BlockBase):
    """A boxed message that must stand out, such as when to call the clinic."""

    kind: Literal["callout"]
    tone: Literal["call-us", "note", "urgent"] = "note"
    title: Text
    text: Text


class Figure(Strict):
    """One reported range, such as 'Chronic low back pain: 50-75 %'."""

    label: Text
    low: Annotated[float, Field(ge=0, le=100)]
    high: Annotated[float, Field(ge=0, le=100)] | None = None
    words: Text
    source: Ident | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Figure:
        if self.high is not None and self.high < self.low:
            raise ValueError(f"high ({self.high:g}) is below low ({self.low:g}); swap them")
        return self


class FiguresBlock(BlockBase):
    """Reported ranges drawn as a horizontal bar chart, with a text equivalent."""

    kind: Literal["figures"]
    measure: Text
    caption: Text | None = None
    items: Annotated[list[Figure], Field(min_length=1, max_length=12)]


Block = Annotated[
    TextBlock | TableBlock | StepsBlock | ChecklistBlock | CalloutBlock | FiguresBlock,
    Field(discriminator="kind"),
]
BLOCK_KINDS = ("text", "table", "steps", "checklist", "callout", "figures")


class Section(Strict):
    """A titled run of blocks inside a condition brochure."""

    title: Text
    blocks: Annotated[list[Block], Field(min_length=1)]


class Topic(Strict):
    """A reusable part of a brochure (introduction, safety, aftercare, ...)."""

    title: Text
    key_message: Text
    blocks: Annotated[list[Block], Field(min_length=1)]
    sources: list[Source] = []
    reviewed: Reviewed


class Condition(Strict):
    """One brochure: a condition's own sections plus the topics it includes, in order."""

    title: Text
    subtitle: Text | None = None
    key_message: Text
    sections: list[Section] = []
    topics: Annotated[list[Ident], Field(min_length=1)]
    sources: list[Source] = []
    reviewed: Reviewed
    keywords: list[Text] = []
    # Where it hurts, marked on the cover's body map (see bodymap.REGIONS for the names).
    body_regions: list[Ident] = []


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
    language: Annotated[str, StringConstraints(pattern=r"^[a-z]{2}(-[A-Z]{2})?$")] = "en"

    @field_validator("layouts")
    @classmethod
    def _known_layouts(cls, value: list[str]) -> list[str]:
        from brochure.layouts import layouts  # the package's layout table
        from brochure.validate import suggest

        known = layouts()
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


class CheckSettings(Strict):
    """Thresholds for ``brochure check``; the defaults follow health-literacy guidance."""

    grade_warning: Annotated[float, Field(gt=0)] = 8
    grade_error: Annotated[float, Field(gt=0)] = 10
    review_months: Annotated[int, Field(ge=1)] = 12
    passive_warning: Annotated[float, Field(ge=0, le=1)] = 0.2
    words_per_heading: Annotated[int, Field(ge=20)] = 150


HexColour = Annotated[str, StringConstraints(pattern=r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")]


class Colours(Strict):
    """The brand palette; every text/background pair it makes is checked for contrast."""

    primary: HexColour = "#1d5f8a"  # headings, accents, chart bars
    accent: HexColour = "#8a4b08"  # the when-to-call callout
    text: HexColour = "#1f2933"  # body text: dark, not pure black
    tint: HexColour = "#e6f0f7"  # key message and table header background


class Logo(Strict):
    """The clinic's logo: an SVG or PNG inside the project, with its alternative text."""

    file: Annotated[str, StringConstraints(pattern=r"(?i)^[^/\\].*\.(svg|png)$")]
    alt: Text


class Contact(Strict):
    """How patients reach the clinic."""

    phone: Text
    website: Text
    email: Text | None = None
    booking_url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$")] | None = None


class Location(Strict):
    """One place the clinic sees patients."""

    id: Ident
    name: Text | None = None
    address: Text
    phone: Text | None = None
    hours: list[Text] = []


class Practitioner(Strict):
    """Someone who treats patients, printed on the back of a brochure."""

    name: Text
    role: Text


class Emergency(Strict):
    """The local emergency number, printed in every when-to-call and urgent box."""

    number: Text  # what to dial: 911, 999, 112, 000 ...
    words: Text  # what the number reaches, in a few plain words: "ambulance, fire or police"


class Clinic(Strict):
    """The clinic's brand file: printed on every brochure."""

    name: Text
    tagline: Text | None = None
    logo: Logo | None = None
    colours: Colours = Colours()
    contact: Contact
    locations: Annotated[list[Location], Field(min_length=1)]
    practitioners: list[Practitioner] = []
    disclaimer: Text
    emergency: Emergency
    after_hours: Text  # what to do when the clinic is closed
    defaults: Defaults = Defaults()
    check: CheckSettings = CheckSettings()

    @model_validator(mode="after")
    def _unique_locations(self) -> Clinic:
        ids = [loc.id for loc in self.locations]
        for i, loc_id in enumerate(ids):
            if loc_id in ids[:i]:
                raise ValueError(f"locations[{i}]: location id '{loc_id}' is used twice")
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

    @property
    def address(self) -> str:
        """Return the first location's address."""
        return self.locations[0].address
