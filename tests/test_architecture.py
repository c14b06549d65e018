"""The package's shape: folders by pipeline stage, imports one way, no cycles."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "brochure"

# Lower stages never import higher ones: a reader finds a behaviour from folder names alone.
# errors, codes, safefile and fonts are helpers below every stage; engine runs the render stage
# (and any work) in other processes, for the recipe and the stages above it; recipe makes
# one brochure's bytes from the stages below it, for every command that hands out or
# judges a brochure.
RANK = {"errors": 0, "helptext": 0, "safefile": 0, "fonts": 0, "codes": 0, "engine": 3.2,
        "content": 1, "compose": 2, "render": 3, "recipe": 3.5, "checks": 4, "catalogue": 5,
        "scaffold": 5, "api": 6, "cli": 7, "launch": 8, "__main__": 8, "__init__": 9,
        "personal": 6, "params": 7, "serve": 6}

# Which folders (and top-level modules) each may import, besides itself: stricter than the
# ranks, so that, say, render lays out HTML without knowing how content or compose make it.
HELPERS = {"errors", "safefile", "fonts", "codes"}
MAY_IMPORT: dict[str, set[str]] = {
    "errors": set(),
    "helptext": set(),
    "fonts": set(),
    "codes": {"errors"},
    "safefile": {"errors"},
    "params": {"errors"},
    "engine": {"errors", "render"},
    "content": HELPERS,
    "compose": HELPERS | {"content"},
    "render": HELPERS,
    "recipe": HELPERS | {"content", "compose", "render", "engine"},
    "checks": HELPERS | {"content", "compose", "render", "recipe"},
    "scaffold": HELPERS | {"content", "checks"},
    "catalogue": HELPERS | {"content", "compose", "render", "recipe", "checks", "engine"},
    "personal": HELPERS | {"content", "compose", "render", "recipe", "catalogue", "engine"},
    "serve": HELPERS | {"content", "compose", "recipe", "checks", "catalogue", "engine"},
    "api": HELPERS | {"content", "compose", "render", "recipe", "checks", "catalogue",
                      "scaffold", "personal", "engine"},
    "cli": HELPERS | {"params", "api", "render", "checks", "catalogue", "personal", "serve",
                      "engine"},
    "launch": {"helptext", "cli"},
    "__main__": {"cli"},
    "__init__": HELPERS | {"api"},
}

def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(node: ast.If) -> bool:
    return isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"


def _runtime_imports(tree: ast.AST, module: str, is_package: bool) -> set[str]:
    """Return the brochure modules imported when the code runs (not under TYPE_CHECKING)."""
    found: set[str] = set()
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _is_type_checking(node):
            stack.extend(node.orelse)
            continue
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("brochure"))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".") if is_package else module.split(".")[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            if base.startswith("brochure"):
                for alias in node.names:
                    candidate = f"{base}.{alias.name}"
                    found.add(candidate if _exists(candidate) else base)
        stack.extend(ast.iter_child_nodes(node))
    return found


def _exists(module: str) -> bool:
    rel = Path(*module.split(".")[1:])
    return (PACKAGE / rel).with_suffix(".py").is_file() or (PACKAGE / rel / "__init__.py").is_file()


def import_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        name = _module_name(path)
        tree = ast.parse(path.read_text("utf-8"))
        deps = _runtime_imports(tree, name, path.name == "__init__.py")
        graph[name] = {d for d in deps if d != name and d != "brochure"}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Return the strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1 or v in graph.get(v, ()):
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def _stage(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def test_the_graph_sees_imports_inside_functions() -> None:
    graph = import_graph()
    # cli imports the library lazily, inside its commands
    assert "brochure.api" in graph["brochure.cli"]
    assert "brochure.render.pdf" in graph["brochure.recipe.make"]


def test_no_import_cycle() -> None:
    assert _cycles(import_graph()) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_imports_run_from_the_command_down_to_the_content() -> None:
    wrong = [f"{m} imports {d}" for m, deps in import_graph().items() for d in deps
             if RANK[_stage(d)] > RANK[_stage(m)]]
    assert wrong == []


def test_every_module_sits_in_a_known_stage() -> None:
    assert {_stage(m) for m in import_graph()} <= set(RANK)


def test_every_stage_has_a_folder_rule_that_keeps_to_the_ranks() -> None:
    assert set(MAY_IMPORT) == set(RANK)
    above = {f"{stage} may import {other}" for stage, allowed in MAY_IMPORT.items()
             for other in allowed if RANK[other] > RANK[stage]}
    assert above == set()


def _folder_rule_breaches(graph: dict[str, set[str]]) -> list[str]:
    """Return each import a folder rule forbids, naming both modules and the rule."""
    found = []
    for module, deps in sorted(graph.items()):
        stage = _stage(module)
        allowed = MAY_IMPORT[stage]
        for dep in sorted(deps):
            if _stage(dep) != stage and _stage(dep) not in allowed:
                rule = ", ".join(sorted(allowed)) or "nothing of the package"
                found.append(f"{module} imports {dep}, but {stage} may import only: {rule}")
    return found


def test_each_folder_imports_only_what_its_rule_allows() -> None:
    assert _folder_rule_breaches(import_graph()) == []


def test_the_folder_rules_name_a_breach() -> None:
    graph = {"brochure.render.fetch": {"brochure.compose.cssurls", "brochure.errors"},
             "brochure.recipe.make": {"brochure.compose.html"}}
    assert _folder_rule_breaches(graph) == [
        "brochure.render.fetch imports brochure.compose.cssurls, but render may import "
        "only: codes, errors, fonts, safefile"]


# --- one template environment ------------------------------------------------------------

TEMPLATING = PACKAGE / "compose" / "templating.py"
# Every way Jinja2 makes an environment or a loader of its own: a plain Environment runs
# any attribute a template reaches for, a FileSystemLoader follows links out.
JINJA_MAKERS = {"Environment", "SandboxedEnvironment", "ImmutableSandboxedEnvironment",
                "NativeEnvironment", "Template", "NativeTemplate", "FileSystemLoader",
                "PackageLoader", "DictLoader", "FunctionLoader", "ChoiceLoader",
                "PrefixLoader", "ModuleLoader"}


def _jinja_makers(source: str) -> list[str]:
    """Return each construction (a call, a subclass, an imported name) of a Jinja2
    environment or loader in ``source``, as 'line: name'; annotations do not count."""

    def named(node: ast.expr) -> str | None:
        if isinstance(node, ast.Attribute) and node.attr in JINJA_MAKERS:
            return node.attr
        if isinstance(node, ast.Name) and node.id in JINJA_MAKERS:
            return node.id
        return None

    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("jinja2"):
            found += [f"{node.lineno}: import {a.name}" for a in node.names
                      if a.name in JINJA_MAKERS]
        elif isinstance(node, ast.Call) and (name := named(node.func)):
            found.append(f"{node.lineno}: {name}()")
        elif isinstance(node, ast.ClassDef):
            found += [f"{node.lineno}: class of {name}" for base in node.bases
                      if (name := named(base))]
    return sorted(found)


def test_the_finder_finds_every_way_to_make_an_environment() -> None:
    source = ("import jinja2\nfrom jinja2 import Environment as E\n"
              "from jinja2.sandbox import SandboxedEnvironment\n"
              "a = jinja2.Environment(loader=jinja2.FileSystemLoader('.'))\n"
              "b = jinja2.Template('x')\nclass C(jinja2.sandbox.SandboxedEnvironment): pass\n"
              "def f() -> jinja2.Environment: ...\n")
    assert _jinja_makers(source) == [
        "2: import Environment", "3: import SandboxedEnvironment", "4: Environment()",
        "4: FileSystemLoader()", "5: Template()", "6: class of SandboxedEnvironment"]


def test_every_template_renders_in_the_one_sandboxed_environment() -> None:
    """Only compose/templating.py makes a Jinja2 environment; every other module asks it."""
    found = {str(path.relative_to(PACKAGE)): hits for path in sorted(PACKAGE.rglob("*.py"))
             if path != TEMPLATING and (hits := _jinja_makers(path.read_text("utf-8")))}
    assert found == {}


def test_pages_mail_and_serve_share_the_sandbox_and_the_loader(tmp_path: Path) -> None:
    from jinja2.sandbox import SandboxedEnvironment

    from brochure.compose.html import environment
    from brochure.compose.templating import SafeLoader
    from brochure.personal.mail import _environment as mail_environment
    from brochure.serve.pages import _environment as serve_environment

    envs = {"pages": environment(tmp_path), "mail": mail_environment((tmp_path,)),
            "serve": serve_environment()}
    for name, env in envs.items():
        assert isinstance(env, SandboxedEnvironment), name
        assert type(env) is type(envs["pages"]), name
        assert isinstance(env.loader, SafeLoader), name
        assert env.undefined.__name__ == "StrictUndefined", name
    assert (envs["pages"].autoescape, envs["mail"].autoescape, envs["serve"].autoescape) == (
        True, False, True)
