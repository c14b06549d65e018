"""Clinic branding and new projects: one file makes every brochure the clinic's own."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader
from tests.conftest import CLINIC, ROOT
from tests.pdfread import text

import brochure
from brochure.cli import main
from brochure.errors import ContentError

LOGO_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000002000000020802000000fdd49a73"
    "0000001649444154789c63f8cf00044c0c0c0c0cff81400002c00c0b8b5c51e2"
    "0000000049454e44ae426082")


def brand(clinic_yaml: str, **replace: str) -> str:
    for old, new in replace.items():
        clinic_yaml = clinic_yaml.replace(old, new)
    return clinic_yaml


def scaffold(tmp_path: Path, name: str = "Harbour Physio") -> Path:
    target = tmp_path / "harbour"
    result = CliRunner().invoke(main, ["init", str(target), "--name", name],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return target


def test_init_refuses_to_overwrite(tmp_path: Path) -> None:
    target = scaffold(tmp_path)
    again = CliRunner().invoke(main, ["init", str(target)])
    assert again.exit_code == 2
    assert again.stderr == (f"error: {target} already exists and is not empty; choose a new "
                            "folder (init never overwrites a project)\n")


def test_scaffolded_project_with_new_name_logo_and_colours(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    root = scaffold(tmp_path)
    (root / "assets" / "logo.png").write_bytes(LOGO_PNG)
    clinic = root / "handouts" / "clinic.yaml"
    clinic.write_text(brand(
        clinic.read_text(),
        **{"  file: assets/logo.svg": "  file: assets/logo.png",
           'primary: "#1d5f8a"': 'primary: "#0b6e4f"'}))
    assert 'alt: "Harbour Physio logo"' in clinic.read_text()  # init named the logo
    # in every language the starter speaks
    assert 'logo_alt: "Logotipo de Harbour Physio"' in \
        (root / "handouts" / "clinic.es.yaml").read_text("utf-8")
    assert 'logo_alt: "Logo de Harbour Physio"' in \
        (root / "handouts" / "clinic.fr.yaml").read_text("utf-8")
    monkeypatch.chdir(root)
    result = brochure.build(project=root, conditions=["sciatica"], layout="handout",
                            paper="letter", lang="en", html=True)
    pdf = result.outputs[0]
    assert "Harbour Physio" in text(pdf)
    assert PdfReader(pdf).metadata.author == "Harbour Physio"
    images = [img for page in PdfReader(pdf).pages for img in page.images]
    assert images, "the logo is not embedded"
    html = result.html[0].read_text()
    assert "--brand: #0b6e4f" in html
    # the primary colour in the page's drawing operators (0b6e4f = 11, 110, 79)
    content = b"".join(page.get_contents().get_data() for page in PdfReader(pdf).pages)
    assert b"0.043137 0.431373 0.309804 rg" in content


def test_booking_qr_code_decodes_to_the_booking_url(make_project, tmp_path: Path) -> None:
    zbarimg = shutil.which("zbarimg")
    assert zbarimg, "zbarimg (Debian package zbar-tools) is needed; .ci/run installs it"
    import pypdfium2

    url = "https://booking.example-clinic.test/new?ref=brochure"
    root = make_project({"handouts/clinic.yaml": CLINIC.replace(
        "  website: www.test-clinic.test",
        f"  website: www.test-clinic.test\n  booking_url: {url}")})
    pdf = brochure.build(project=root).outputs[0]
    document = pypdfium2.PdfDocument(str(pdf))
    found = []
    for number in range(len(document)):  # the contact box is on one of the last pages
        png = tmp_path / f"page-{number}.png"
        document[number].render(scale=200 / 72).to_pil().save(png)
        decoded = subprocess.run([zbarimg, "--quiet", "--raw", str(png)],
                                 capture_output=True, text=True, check=False)
        found += decoded.stdout.split()
    assert found == [url]
    assert url in text(pdf)  # printed beside the code too


def test_no_booking_url_no_qr_code(make_project) -> None:
    pdf = brochure.build(project=make_project()).outputs[0]
    assert "Book online" not in text(pdf)


def test_low_contrast_palette_fails_with_a_darker_shade(make_project) -> None:
    clinic = CLINIC + 'colours:\n  primary: "#7fb2d9"\n'
    with pytest.raises(ContentError) as info:
        brochure.build(project=make_project({"handouts/clinic.yaml": clinic}))
    assert info.value.lines() == [
        'handouts/clinic.yaml:15:12: colours.primary: headings and links: #7fb2d9 on #ffffff '
        'has contrast 2.26:1, below 4.5:1; try primary: "#567994"',
        "handouts/clinic.yaml:15:12: colours.primary: the cover's title, numbers on steps and "
        'chart bars: #ffffff '
        'on #7fb2d9 has contrast 2.26:1, below 4.5:1; try primary: "#567994"',
        'handouts/clinic.yaml:15:12: colours.primary: the key message label: #7fb2d9 on '
        '#e6f0f7 has contrast 1.96:1, below 4.5:1; try primary: "#507089"',
        "3 problems found in the content",
    ]


def test_logo_without_alt_text_fails(make_project) -> None:
    clinic = CLINIC + "logo:\n  file: assets/logo.png\n"
    root = make_project({"handouts/clinic.yaml": clinic, "assets/logo.png": LOGO_PNG})
    with pytest.raises(ContentError) as info:
        brochure.build(project=root)
    assert info.value.lines() == [
        "handouts/clinic.yaml:15:3: logo: missing required key 'alt'",
        "1 problem found in the content",
    ]


def test_logo_outside_the_project_fails(make_project) -> None:
    clinic = CLINIC + "logo:\n  file: ../../etc/logo.png\n  alt: Logo\n"
    with pytest.raises(ContentError) as info:
        brochure.build(project=make_project({"handouts/clinic.yaml": clinic}))
    assert info.value.lines()[0] == (
        "handouts/clinic.yaml:15:9: logo.file: '../../etc/logo.png' is outside the project; "
        "put the logo in the project's assets/ folder")


def test_location_picks_the_address_and_phone(make_project) -> None:
    clinic = CLINIC.replace("    address: 1 Test Road, Testville\n",
                            "    address: 1 Test Road, Testville\n"
                            "  - id: harbour\n    address: 9 Harbour Way, Port Town\n"
                            '    phone: "(555) 010-0777"\n')
    root = make_project({"handouts/clinic.yaml": clinic})
    first = text(brochure.build(project=root, out=root / "a").outputs[0])
    assert "1 Test Road, Testville" in first and "9 Harbour Way" not in first
    second = text(brochure.build(project=root, out=root / "b", location="harbour").outputs[0])
    assert "9 Harbour Way, Port Town" in second and "(555) 010-0777" in second
    bad = CliRunner().invoke(main, ["build", "--location", "habour"])
    assert bad.exit_code == 2
    assert bad.stderr == ("error: unknown location 'habour' (did you mean 'harbour'?); use one "
                          "of: main, harbour\n")


def test_project_templates_override_the_package_file_by_file(make_project) -> None:
    root = make_project({"styles/handout.css": "h2 { color: #3b0764; }\n"})
    listing = CliRunner().invoke(main, ["list", "--templates"], catch_exceptions=False)
    assert "  styles/handout.css               project" in listing.output.splitlines()
    assert "  styles/base.css                  package" in listing.output.splitlines()
    assert "  templates/handout.html.j2        package" in listing.output.splitlines()
    result = brochure.build(project=root, html=True)
    assert "h2 { color: #3b0764; }" in result.html[0].read_text()


@pytest.mark.slow
def test_wheel_installs_and_runs_init_then_build(tmp_path: Path) -> None:
    dist = tmp_path / "wheel"
    # The build backend is in the locked test group, so no build environment is needed.
    subprocess.run([sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d",
                    str(dist)], cwd=ROOT, check=True, capture_output=True)
    [wheel] = dist.glob("brochure-*.whl")
    # A fresh environment with the wheel alone; its dependencies are the ones this suite runs
    # with, reached through a .pth file (placed after the environment's own site-packages,
    # so the wheel is what gets imported), which spares a download-and-install of them all.
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    [site] = (env_dir / "lib").glob("python*/site-packages")
    outer = [p for p in sys.path if p.endswith("site-packages")]
    (site / "zz-test-dependencies.pth").write_text("\n".join(outer) + "\n")
    subprocess.run([str(ROOT / ".uv/bin/uv"), "pip", "install", "--python", str(python),
                    "--no-deps", "--offline", "--quiet", str(wheel)], check=True)
    work = tmp_path / "work"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    where = subprocess.run([str(python), "-c", "import brochure; print(brochure.__file__)"],
                           env=env, capture_output=True, text=True, check=True).stdout
    assert Path(where.strip()).is_relative_to(site), where  # the wheel, not the source tree
    exe = env_dir / "bin" / "brochure"
    subprocess.run([str(exe), "init", "clinic", "--name", "Wheel Clinic"], cwd=work, env=env,
                   check=True)
    built = subprocess.run([str(exe), "build", "back-pain", "--project", "clinic", "--layout",
                            "handout", "--paper", "letter", "--lang", "en"], cwd=work,
                           env=env, capture_output=True, text=True, check=False)
    assert built.returncode == 0, built.stderr
    assert (work / "clinic" / "dist" / "back-pain.handout.letter.en.pdf").is_file()
