"""Runs the client's unittest suite for a harness that reports each test on its own (the project's jest run).

    python3 runner.py list          prints a JSON array: {"id", "skip"} per test, skip being the reason of a
                                    @skip decorator (known before running) or null
    python3 runner.py run OUT.json  runs every test, writes {id: {"outcome", "message", "seconds"}} to OUT.json,
                                    outcome being passed, failed or skipped; progress goes to stderr

Plain ``python3 -m unittest discover -s tests -t .`` from clients/python runs the same tests.
"""
from __future__ import annotations

import json
import traceback
import sys
import time
import unittest
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

PACKAGE_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PACKAGE_DIR))

Outcome = Dict[str, Any]


def _cases(suite: unittest.TestSuite) -> Iterator[unittest.TestCase]:
    for item in suite:
        if isinstance(item, unittest.TestSuite):
            yield from _cases(item)
        else:
            yield item


def _discover() -> unittest.TestSuite:
    loader = unittest.TestLoader()
    suite = loader.discover(start_dir=str(Path(__file__).parent), top_level_dir=str(PACKAGE_DIR))
    broken = [str(e) for e in getattr(loader, "errors", [])]
    if broken:  # an import error must fail loudly, not shrink the suite
        raise SystemExit("cannot load the tests:\n" + "\n".join(broken))
    return suite


def _skip_reason(case: unittest.TestCase) -> Optional[str]:
    method = getattr(case, case._testMethodName)
    for holder in (type(case), method):
        if getattr(holder, "__unittest_skip__", False):
            return str(getattr(holder, "__unittest_skip_why__", "skipped"))
    return None


def _describe(err: Tuple[Any, Any, Any]) -> str:
    return "".join(traceback.format_exception(*err))


class _Recorder(unittest.TestResult):
    def __init__(self) -> None:
        super().__init__()
        self.outcomes: Dict[str, Outcome] = {}
        #: Failures of setUpClass / tearDownClass / setUpModule, which unittest reports under a pseudo-test.
        self.fixture_errors: List[Tuple[str, str]] = []
        self._started = 0.0

    def _put(self, test: unittest.TestCase, outcome: str, message: str = "") -> None:
        seconds = round(time.monotonic() - self._started, 3)
        # setUpClass failures arrive as a pseudo-test: charge them to every test of the class
        self.outcomes[test.id()] = {"outcome": outcome, "message": message, "seconds": seconds}
        print(f"{outcome:7} {seconds:6.2f}s {test.id()}", file=sys.stderr, flush=True)

    def startTest(self, test: unittest.TestCase) -> None:
        super().startTest(test)
        self._started = time.monotonic()

    def addSuccess(self, test: unittest.TestCase) -> None:
        self._put(test, "passed")

    def addFailure(self, test: unittest.TestCase, err: Tuple[Any, Any, Any]) -> None:
        self._put(test, "failed", _describe(err))

    def addError(self, test: unittest.TestCase, err: Tuple[Any, Any, Any]) -> None:
        if isinstance(test, unittest.TestCase):
            self._put(test, "failed", _describe(err))
        else:
            self.fixture_errors.append((str(test), _describe(err)))
            print(f"failed  {test}", file=sys.stderr, flush=True)

    def addSkip(self, test: unittest.TestCase, reason: str) -> None:
        self._put(test, "skipped", reason)

    def addExpectedFailure(self, test: unittest.TestCase, err: Tuple[Any, Any, Any]) -> None:
        self._put(test, "passed")

    def addUnexpectedSuccess(self, test: unittest.TestCase) -> None:
        self._put(test, "failed", "expected to fail, but passed")


def main(argv: List[str]) -> int:
    if len(argv) == 1 and argv[0] == "list":
        tests = [{"id": case.id(), "skip": _skip_reason(case)} for case in _cases(_discover())]
        print(json.dumps(tests))
        return 0
    if len(argv) == 2 and argv[0] == "run":
        suite = _discover()
        ids = [case.id() for case in _cases(suite)]
        result = _Recorder()
        suite.run(result)
        # A failed setUpClass runs none of its class's tests, a failed tearDownClass leaves a mess behind:
        # either way each test of that class (or module) is reported failed with it.
        for where, text in result.fixture_errors:
            for test_id in ids:
                module, cls = test_id.rsplit(".", 2)[:2]
                if f"{module}.{cls}" in where or f"({module})" in where:
                    if result.outcomes.get(test_id, {}).get("outcome") != "skipped":
                        result.outcomes[test_id] = {"outcome": "failed", "message": f"{where}: {text}", "seconds": 0}
        for test_id in ids:
            result.outcomes.setdefault(test_id, {"outcome": "failed", "message": "did not run", "seconds": 0})
        Path(argv[1]).write_text(json.dumps(result.outcomes, indent=1))
        return 0 if all(o["outcome"] != "failed" for o in result.outcomes.values()) else 1
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
