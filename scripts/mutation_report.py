"""Print the mutation score of each mutated module and the mutants that survived (after `mutmut run`).

Reads mutmut's own records (mutants/<module>.py.meta): killed and timed-out mutants count as
caught, survivors and suspicious ones as missed; mutants that no selected test reaches are listed
apart and count as missed too. Exits 0: the score is a figure to read, not a gate.
"""

import json
import subprocess
import sys
from pathlib import Path

CAUGHT = {1, 3, 36, 37, 24, -24, 152, 255}  # killed, pytest internal error, timeouts, type check
NO_TESTS = {5, 33}
SKIPPED = {34}


def _diff(name: str, source: Path) -> str:
    """The mutant's change as a diff: in this process (`mutmut show` takes seconds for each)."""
    try:
        from mutmut.mutation.diff_apply import get_diff_for_mutant

        return get_diff_for_mutant(name, path=source)
    except Exception:  # another mutmut version: ask its command line
        mutmut = str(Path(sys.executable).parent / "mutmut")
        return subprocess.run([mutmut, "show", name], capture_output=True, text=True).stdout


def main(show_diffs: bool) -> int:
    metas = sorted(Path("mutants").glob("**/*.py.meta"))
    if not metas:
        print("No mutation results: run `make mutate` (mutmut run) first.")
        return 1
    total_caught = total_tested = 0
    survivors: list[str] = []
    for meta in metas:
        codes = json.loads(meta.read_text())["exit_code_by_key"]
        checked = {name: code for name, code in codes.items() if code is not None and code not in SKIPPED}
        untried = sum(code is None for code in codes.values())
        if not checked:
            continue
        caught = sum(code in CAUGHT for code in checked.values())
        untested = sorted(name for name, code in checked.items() if code in NO_TESTS)
        missed = sorted(name for name, code in checked.items() if code not in CAUGHT and code not in NO_TESTS)
        module = meta.relative_to("mutants").with_suffix("").as_posix()
        print(f"{module:32} {100 * caught / len(checked):5.1f}%  {caught}/{len(checked)} caught", end="")
        print(f", {len(missed)} survived, {len(untested)} reached by no test" if missed or untested else "", end="")
        print(f" ({untried} not tried yet)" if untried else "")
        total_caught += caught
        total_tested += len(checked)
        survivors += [(name, meta) for name in missed] + [(f"{name} (no test)", meta) for name in untested]
    print(f"{'all':32} {100 * total_caught / total_tested:5.1f}%  {total_caught}/{total_tested} caught")
    if survivors:
        print("\nSurviving mutants (`mutmut show NAME` prints the change):")
        for name, meta in survivors:
            print(f"  {name}")
            if show_diffs and not name.endswith("(no test)"):
                diff = _diff(name, meta.relative_to("mutants").with_suffix(""))
                changed = [line for line in diff.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")]
                print("\n".join("      " + line for line in changed))
    return 0


if __name__ == "__main__":
    sys.exit(main(show_diffs="--diffs" in sys.argv))
