"""Format ``brochure translations``: a table per language, or JSON with stable keys."""

from __future__ import annotations

import json

from brochure.content.languages import display_name
from brochure.content.translate import Coverage


def coverage_text(result: Coverage) -> str:
    """Return the coverage table, then each missing or stale file."""
    if not result.files:
        return "No languages to translate into; add them to defaults.languages in clinic.yaml."
    lines = [f"{'Language':<16} {'Translated':>10} {'Missing':>8} {'Stale':>6} "
             f"{'Unreviewed':>11}"]
    for lang in result.languages():
        total = sum(1 for f in result.files if f.language == lang)
        name = f"{lang} ({display_name(lang)})"
        lines.append(f"{name:<16} {result.count(lang, 'translated'):>5}/{total:<4} "
                     f"{result.count(lang, 'missing'):>8} {result.count(lang, 'stale'):>6} "
                     f"{result.unreviewed(lang):>11}")
    for f in result.files:
        if f.status == "missing":
            lines.append(f"missing: {f.translation} (translates {f.source})")
        elif f.status == "stale":
            lines.append(f"stale: {f.translation}: {f.source} changed since it was translated")
    unreviewed = sum(result.unreviewed(lang) for lang in result.languages())
    if unreviewed:
        lines.append(f"{unreviewed} translation files await review by a native-speaking "
                     "clinician (translation.reviewed)")
    return "\n".join(lines)


def coverage_json(result: Coverage) -> str:
    """Return the coverage as JSON (version 1 of the format)."""
    payload = {"version": 1, "complete": result.complete, **result.as_dict()}
    return json.dumps(payload, indent=2, ensure_ascii=False)
