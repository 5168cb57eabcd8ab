"""Command line (§6): parses arguments and calls the layers below.

Exit codes: 0 success, 2 usage error or bad input, 1 the store cannot be used.
Nothing here imports Textual: non-UI commands must start fast.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import stat
import sys
TYPE_CHECKING = False  # typing's flag without loading typing: the quick check-in counts its imports
if TYPE_CHECKING:
    from typing import Callable, Optional, Sequence

from okrtui import __version__
from okrtui.domain.errors import InvalidInput

EXIT_OK, EXIT_STORE, EXIT_INPUT = 0, 1, 2
MAX_PROBLEMS_SHOWN = 20


class UsageError(Exception):
    pass


def say(text: str) -> None:
    """A line for the terminal that may quote paths or arguments: never raw control characters."""
    from okrtui.domain.text import printable

    print(printable(text))


def _columns() -> int:
    """The terminal's width as shutil.get_terminal_size gives it ($COLUMNS, else the terminal, else 80)."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


class _SizedHelp(argparse.HelpFormatter):
    # argparse builds a formatter at every add_argument, and without a width each one imports
    # shutil (and with it bz2 and lzma) to ask the terminal: a twentieth of a quick check-in.
    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24, width=None):
        super().__init__(prog, indent_increment, max_help_position, _columns() - 2 if width is None else width)


class _SizedRawHelp(_SizedHelp, argparse.RawDescriptionHelpFormatter):
    pass


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args, formatter_class=_SizedHelp, **kwargs):
        super().__init__(*args, formatter_class=formatter_class, **kwargs)

    def error(self, message: str):  # argparse quotes unknown arguments verbatim
        from okrtui.domain.text import printable

        self.print_usage(sys.stderr)
        self.exit(EXIT_INPUT, f"{self.prog}: error: {printable(message)}\n")


def _store_option(parser: argparse.ArgumentParser) -> None:
    # SUPPRESS lets `--store` stand before or after the command without one erasing the other.
    parser.add_argument("--store", metavar="PATH", default=argparse.SUPPRESS,
                        help="the store's main file (default: $OKRTUI_STORE, else the user data directory)")
    parser.add_argument("--read-only", action="store_true", default=argparse.SUPPRESS,
                        help="never write to the store (a command that writes is refused)")


def _as_of_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--as-of", metavar="YYYY-MM-DD", type=_date, default=argparse.SUPPRESS,
                        help="the date to report as of (default: today, UTC)")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date of the form YYYY-MM-DD") from None


def _time(text: str) -> dt.datetime:
    from okrtui.domain.terms import parse_time

    try:
        return parse_time(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


class _Unused:
    """Stands in for the parser of a command that is not being run: its arguments cost nothing."""

    def add_argument(self, *args, **kwargs) -> None:
        pass


def build_parser(only: Optional[str] = None) -> argparse.ArgumentParser:
    """The whole parser, or (`only`) the top level with that one command: a check-in does
    not pay for building every command's help (a quarter of its time)."""
    parser = _Parser(
        prog="okrtui",
        description="Balanced Scorecard strategy and quarterly OKRs in one terminal app.",
    )
    parser.add_argument("--version", action="version", version=f"okrtui {__version__}")
    _store_option(parser)
    parser.add_argument("--as", dest="user", metavar="USER", default=argparse.SUPPRESS,
                        help="who is checking in (default: $OKRTUI_USER, else the login name)")
    _as_of_option(parser)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def command(name: str, summary: str, description: str, examples: str) -> argparse.ArgumentParser:
        if only is not None and name != only:
            return _Unused()  # type: ignore[return-value]
        return commands.add_parser(name, help=summary, description=description,
                                   epilog="examples:\n" + examples,
                                   formatter_class=_SizedRawHelp)

    demo_store = ""
    if only in (None, "demo"):
        import shlex

        from okrtui.store.locate import demo_store_path

        demo_store = shlex.quote(str(demo_store_path()))
    demo = command("demo", "open the sample company in its own store",
                   "Open the app on the sample company (Northwind Analytics), dated so that its latest "
                   f"cycle holds today. It lives in a store of its own, {demo_store}; yours is never touched.",
                   "  okrtui demo\n  okrtui demo --reset          # start the sample afresh\n"
                   f"  okrtui report --store {demo_store}   # the demo's numbers from the command line\n")
    _store_option(demo)
    demo.add_argument("--reset", action="store_true", help="throw the demo store away and create it again")

    init = command("init", "create a store",
                   "Create an empty store (or one holding the sample company). An existing store is never "
                   "overwritten; one that holds no data yet takes --sample.",
                   "  okrtui init --org 'Acme'\n  okrtui init --sample --store /srv/okr/team.json\n")
    _store_option(init)
    init.add_argument("--sample", action="store_true", help="fill it with the sample company")
    init.add_argument("--org", metavar="NAME", help="the organisation's name")

    imp = command("import", "load an interchange JSON or CSV file, all or nothing",
                  "Add strategy, cycles, objectives, key results and check-ins from an interchange JSON "
                  "file or a CSV sheet (OKR or strategy). One bad line refuses the whole file; the store "
                  "is backed up beside itself first.",
                  "  okrtui import company.json\n  okrtui import 2027-Q1.csv --store /srv/okr/team.json\n")
    imp.add_argument("file", metavar="FILE")
    _store_option(imp)

    exp = command("export", "write the store as interchange JSON or the OKR CSV sheet",
                  "Write the whole store as interchange JSON (history included), or one cycle as the "
                  "OKR CSV sheet.",
                  "  okrtui export -o backup.json\n  okrtui export --format csv --cycle 2026-Q4 > q4.csv\n")
    _store_option(exp)
    exp.add_argument("--format", choices=("json", "csv"), default="json")
    exp.add_argument("--cycle", metavar="ID", help="the cycle of the CSV sheet (default: the default cycle)")
    exp.add_argument("-o", dest="output", metavar="FILE", help="write to FILE instead of standard output")

    rep = command("report", "the scorecard as text, Markdown, JSON or CSV",
                  "Score a cycle: perspectives, strategic objectives, OKRs and key results, the balance "
                  "and the hints.",
                  "  okrtui report\n  okrtui report --format md > review.md\n"
                  "  okrtui report --format json --cycle 2026-Q3 --as-of 2026-09-30\n")
    _store_option(rep)
    rep.add_argument("--format", choices=("text", "md", "json", "csv"), default="text")
    rep.add_argument("--cycle", metavar="ID")
    _as_of_option(rep)
    rep.add_argument("--since", type=_date, metavar="YYYY-MM-DD",
                     help="also each score on that date, the movement and the wins since (on or before --as-of)")

    due = command("due", "the key results that owe a check-in",
                  "List the key results of the cycle whose last check-in is --days or more days old "
                  "(only while the cycle is open and under way), grouped by owner. Prints nothing when "
                  "nothing is due, so a cron job mails only when there is something to say.",
                  "  okrtui due\n  okrtui due --days 14 --owner sales\n"
                  "  okrtui due --format json --as-of 2026-11-20\n")
    _store_option(due)
    due.add_argument("--cycle", metavar="ID")
    _as_of_option(due)
    due.add_argument("--days", type=_days, default=7, metavar="N", help="whole days since the last check-in (default 7)")
    due.add_argument("--owner", metavar="NAME", help="only the key results of objectives with this owner")
    due.add_argument("--format", choices=("text", "json"), default="text")

    chk = command("checkin", "record a check-in on a key result",
                  "Record a value (and a confidence and a note) on a key result and print how it "
                  "ripples to its objective, strategic objective, perspective and the overall score. "
                  "Leave VALUE out to keep the current value and record only --confidence or --note.",
                  "  okrtui checkin KR-12 41\n"
                  "  okrtui checkin KR-12 41 --confidence at-risk --note 'two deals slipped'\n"
                  "  okrtui checkin KR-7 done                   # a milestone\n"
                  "  okrtui checkin KR-12 --confidence 3        # confidence only (1-4 or a word)\n"
                  "  okrtui checkin --file values.csv           # many at once: ref,value,confidence,note,at\n"
                  "  metrics-job | okrtui checkin --file -       # from standard input\n")
    # argparse takes only plain negative numbers for values; `-1e3` and `-inf` must reach
    # the value check too, to be accepted or refused by name.
    chk._negative_number_matcher = re.compile(r"^-(\d|\.\d|inf|nan)", re.IGNORECASE)
    chk.add_argument("ref", metavar="REF", nargs="?")
    chk.add_argument("value", metavar="VALUE", nargs="?", help="a number, or done / not-done for a milestone")
    chk.add_argument("--file", metavar="FILE", help="many check-ins from a CSV file (- for standard input), "
                     "all or nothing: header ref,value and optionally confidence,note,at")
    chk.add_argument("--confidence", type=_confidence, metavar="C",
                     help="on-track, at-risk, off-track or blocked (any case), or 1-4")
    chk.add_argument("--note", default="", metavar="TEXT")
    chk.add_argument("--as", dest="user", metavar="USER", default=argparse.SUPPRESS)
    chk.add_argument("--at", type=_time, metavar="ISO-TIME", help="when (default: now; UTC unless a zone is given)")
    _store_option(chk)

    mea = command("measure", "record a reading of a measure (KPI)",
                  "Record a reading of one of a strategic objective's measures and print how its actual "
                  "and attainment move. The latest reading sets the actual; a back-dated one only joins "
                  "the history.",
                  "  okrtui measure F1 ARR 12.5\n"
                  "  okrtui measure C2 'Net promoter score' 41 --note 'survey of May'\n"
                  "  okrtui measure F1 arr 11.8 --at 2026-09-30T17:00   # back-dated\n")
    mea._negative_number_matcher = chk._negative_number_matcher
    mea.add_argument("code", metavar="CODE", help="the strategic objective's code")
    mea.add_argument("name", metavar="NAME", help="the measure's name (any case)")
    mea.add_argument("value", metavar="VALUE", help="a number")
    mea.add_argument("--note", default="", metavar="TEXT")
    mea.add_argument("--as", dest="user", metavar="USER", default=argparse.SUPPRESS)
    mea.add_argument("--at", type=_time, metavar="ISO-TIME", help="when (default: now; UTC unless a zone is given)")
    _store_option(mea)

    doc = command("doctor", "check the store and explain any problem",
                  "Read every file of the store the thorough way, say what is wrong in plain words, and "
                  "name the last backup with the command that restores it. Exit 1 when the store has a "
                  "problem.",
                  "  okrtui doctor\n  okrtui doctor --store /srv/okr/team.json\n")
    _store_option(doc)
    return parser


def _confidence(text: str) -> str:
    from okrtui.domain.terms import parse_confidence

    try:
        return parse_confidence(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _store_path(args: argparse.Namespace) -> str:
    from okrtui.store.locate import store_location

    given = getattr(args, "store", None)
    if given is not None and not given.strip():
        raise UsageError("--store: the path is empty")
    if given is not None and given.endswith(("/", os.sep)):
        raise UsageError(f"--store {given}: names a directory; give the store's main file (e.g. {given}okrtui.json)")
    return store_location(given)


def _store(args: argparse.Namespace, read_only: bool = False):
    from okrtui.store import Store

    return Store(_store_path(args), read_only=read_only)


def _existing_store(args: argparse.Namespace, read_only: bool = False):
    from okrtui.store import StoreError

    store = _store(args, read_only)
    if not store.exists():
        raise StoreError(f"{store.path}: no store here (create one with `okrtui init` or `okrtui import FILE`)")
    return store


def _user(args: argparse.Namespace) -> str:
    user = getattr(args, "user", None) or os.environ.get("OKRTUI_USER")
    if not user:
        # getpass.getuser()'s own steps: importing getpass loads contextlib, which a check-in
        # otherwise does without.
        user = next((os.environ[name] for name in ("LOGNAME", "USER", "LNAME", "USERNAME") if os.environ.get(name)),
                    None)
        if not user:
            try:
                import pwd

                user = pwd.getpwuid(os.getuid()).pw_name
            except (KeyError, OSError):
                user = "unknown"
    return user


def _as_of(args: argparse.Namespace) -> dt.date:
    return getattr(args, "as_of", None) or dt.datetime.now(dt.timezone.utc).date()


def _write_output(text: str, output: Optional[str], store) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    from okrtui.store.files import replace_atomically

    if not output.strip():
        raise UsageError("-o: a file name is required")
    from pathlib import Path

    path = Path(output)
    if store.owns(path):
        raise UsageError(f"{path}: is part of the store; export to a file of its own")
    try:
        kind = os.stat(path).st_mode
    except OSError:
        kind = None
    if kind is not None and not stat.S_ISREG(kind) and not stat.S_ISDIR(kind):
        raise UsageError(f"{path}: not a regular file (export replaces the file it writes)")
    try:
        replace_atomically(path, text.encode("utf-8"))
    except IsADirectoryError:
        raise UsageError(f"{path}: is a directory") from None
    except OSError as exc:  # a write that failed: exit 1, like the store's own
        from okrtui.store import StoreError

        raise StoreError(f"{path}: cannot write ({exc.strerror}); nothing was written") from None


# -- commands ----------------------------------------------------------------


def cmd_report(args: argparse.Namespace) -> int:
    from okrtui.domain.text import printable
    from okrtui.interchange.report import build_report

    store = _existing_store(args, read_only=True)
    with_notes = args.format == "md"  # the review document carries the why of each key result
    report, damage = store.load(lambda snapshot: (build_report(snapshot, _as_of(args), args.cycle, with_notes,
                                                               since=args.since),
                                                  store.damage_seen(snapshot)))
    for problem in damage:  # what the report did not need to read; writers refuse the store
        print(f"okrtui: warning: {printable(problem)} (this report does not depend on it; "
              "see `okrtui doctor`)", file=sys.stderr)
    if args.format == "json":
        import json

        text = json.dumps(report, indent=2, ensure_ascii=False) + "\n"
    else:
        from okrtui.interchange import render

        text = {"text": render.render_text, "md": render.render_markdown, "csv": render.render_csv}[args.format](report)
    sys.stdout.write(text)
    return EXIT_OK


def cmd_due(args: argparse.Namespace) -> int:
    from okrtui.domain import review
    from okrtui.interchange.render import render_due
    from okrtui.operations import choose_cycle

    store = _existing_store(args, read_only=True)
    as_of = _as_of(args)

    def owed(snapshot):
        cycle = choose_cycle(snapshot, args.cycle, as_of)
        return cycle, review.due(cycle, as_of, args.days, args.owner)

    cycle, found = store.load(owed)
    if args.format == "json":
        doc = {"format": "okrtui-due/1", "as_of": as_of.isoformat(), "cycle": cycle.id if cycle else None,
               "days": args.days,
               "due": [{"ref": d.ref, "title": d.title, "objective": d.objective, "owner": d.owner,
                        "last_checkin": d.last_checkin.isoformat(), "days_since": d.days_since} for d in found]}
        import json

        sys.stdout.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(render_due(found))
    return EXIT_OK


def _days(text: str) -> int:
    if not re.fullmatch(r"\s*\d{1,5}\s*", text):
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of days (0 to 99999)")
    return int(text)


def cmd_export(args: argparse.Namespace) -> int:
    from okrtui.interchange.json_io import dump_scorecard
    from okrtui.operations import choose_cycle, export_scorecard

    store = _existing_store(args, read_only=True)
    if args.format == "json":
        if args.cycle:
            raise UsageError("--cycle picks the cycle of the CSV sheet; a JSON export holds the whole store")
        text = store.load(lambda snapshot: dump_scorecard(export_scorecard(snapshot)))
    else:
        from okrtui.interchange.csv_io import write_okr_sheet

        def sheet(snapshot) -> str:
            cycle = choose_cycle(snapshot, args.cycle, _as_of(args))
            if cycle is None:
                raise InvalidInput(["cycle: the store has no cycle to export"])
            return write_okr_sheet(cycle)

        text = store.load(sheet)
    _write_output(text, args.output, store)
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    from okrtui.interchange.json_io import decode_text, parse_json, read_input_file, read_scorecard
    from okrtui.operations import import_scorecard

    from pathlib import Path

    path = Path(args.file)
    data = read_input_file(path)
    store = _store(args)
    text = decode_text(data, str(path))
    if path.suffix.lower() == ".csv" or (path.suffix.lower() != ".json" and not text.lstrip().startswith("{")):
        from okrtui.interchange.csv_io import parse_csv

        snapshot = store.snapshot()
        existing = {e.id: (e.start, e.end) for e in snapshot.entries}
        incoming = parse_csv(data, str(path), known_codes={s.code for s in snapshot.strategy},
                             existing_cycles=existing)
    else:
        incoming = read_scorecard(parse_json(text, str(path)), str(path))
    summary = import_scorecard(store, incoming)
    say(
        f"imported {summary.strategic_objectives} strategic objectives, {summary.cycles} cycles, "
        f"{summary.objectives} objectives, {summary.key_results} key results, "
        f"{summary.checkins} check-ins, {summary.readings} readings into {store.path}"
    )
    return EXIT_OK


def cmd_checkin(args: argparse.Namespace) -> int:
    from okrtui.store.quick import QuickCheckIn, quick_checkin

    if args.file is not None:
        return _checkin_file(args)
    if args.ref is None:
        raise UsageError("checkin: give a REF and a VALUE, or --file FILE")
    if args.value is None and args.confidence is None and not args.note:
        raise UsageError("checkin: give a VALUE, or --confidence / --note to keep the current value")
    # The quick way, when it can be sure; else (a refusal included) the full way through the models.
    done = quick_checkin(_store_path(args), args.ref, args.value, author=_user(args),
                         confidence=args.confidence, note=args.note, at=args.at)
    if done is None:
        from okrtui.operations import record_checkin, ripple_line

        result = record_checkin(_existing_store(args), args.ref, args.value, author=_user(args),
                                confidence=args.confidence, note=args.note, at=args.at)
        done = QuickCheckIn(ripple_line(result.changes), result.became_current)
    print(done.line)
    if not done.became_current:
        print(f"(back-dated: joins {args.ref.strip().upper()}'s history; its current value is unchanged)",
              file=sys.stderr)
    return EXIT_OK


def _checkin_file(args: argparse.Namespace) -> int:
    given = [flag for flag, value in (("REF", args.ref), ("--confidence", args.confidence),
                                      ("--note", args.note), ("--at", args.at)) if value]
    if given:
        raise UsageError(f"checkin --file: {given[0]} belongs in the file's rows, not on the command line")
    from okrtui.interchange.checkin_plain import plain_rows
    from okrtui.interchange.user_files import read_input_file
    from okrtui.store.quick import quick_checkin_rows

    try:
        name, data = ("standard input", _stdin_file()) if args.file == "-" else (args.file, read_input_file(args.file))
    except InvalidInput:
        _existing_store(args)  # a store that is not there is named first, as always
        raise
    # The quick way, for a file of plain cells on one open cycle; else the full way.
    rows = plain_rows(data)
    line = quick_checkin_rows(_store_path(args), rows, author=_user(args)) if rows else None
    if line is not None:
        print(line)
        return EXIT_OK

    from okrtui.interchange.checkin_file import parse_checkin_file
    from okrtui.operations import record_checkins

    store = _existing_store(args)
    rows = parse_checkin_file(data, name)
    for movement in record_checkins(store, rows, author=_user(args), name=name):
        print(movement.line())
    return EXIT_OK


def _stdin_file() -> bytes:
    from okrtui.interchange.user_files import MAX_IMPORT_BYTES

    data = sys.stdin.buffer.read(MAX_IMPORT_BYTES + 1)
    if len(data) > MAX_IMPORT_BYTES:
        raise InvalidInput([f"standard input: larger than a check-in file may be "
                            f"({MAX_IMPORT_BYTES // 2**20} MiB)"])
    return data


def cmd_measure(args: argparse.Namespace) -> int:
    from okrtui.operations import record_reading

    store = _existing_store(args)
    result = record_reading(store, args.code, args.name, args.value, author=_user(args), note=args.note, at=args.at)
    say(result.line())
    if not result.became_current:
        say(f"(back-dated: joins the history of {result.code} {result.name}; its actual is unchanged)")
    return EXIT_OK


def _create_from_sample(store, org: Optional[str] = None) -> None:
    from okrtui.interchange.json_io import read_scorecard
    from okrtui.operations import import_scorecard
    from okrtui.sample import shifted_sample

    now = dt.datetime.now(dt.timezone.utc)
    incoming = read_scorecard(shifted_sample(now), "sample")
    if org:
        incoming.organization = org
    import_scorecard(store, incoming, now)


def cmd_init(args: argparse.Namespace) -> int:
    from okrtui.domain.models import Scorecard
    from okrtui.operations import import_scorecard

    store = _store(args)
    existed = store.exists()
    if existed and not (args.sample and store.load(lambda s: not s.strategy and not s.entries)):
        raise UsageError(f"{store.path}: a store already exists here (use `okrtui import` to add to it)")
    if args.sample:
        _create_from_sample(store, args.org)
    else:
        try:
            incoming = Scorecard.model_validate({"organization": args.org or "My organization"})
        except Exception as exc:  # pydantic's message names the rule the name broke
            raise InvalidInput([f"--org: {exc.errors()[0]['msg']}"]) from None  # type: ignore[attr-defined]
        import_scorecard(store, incoming)
    say(f"filled {store.path} with the sample company" if existed else f"created {store.path}")
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    from okrtui.store import Store, demo_store_path

    store = Store(os.path.expanduser(args.store) if getattr(args, "store", None) else demo_store_path(),
                  read_only=_read_only(args))
    if args.reset:
        if _read_only(args):
            raise ReadOnlyRefusal(f"{store.path}: --reset rewrites the demo store, and --read-only forbids it")
        _remove_demo_store(store)
    if not store.exists():
        if _read_only(args):
            raise ReadOnlyRefusal(f"{store.path}: the demo store does not exist yet, and --read-only forbids "
                                  "creating it (run `okrtui demo` once without --read-only)")
        _create_from_sample(store)
    return _open_app(store, args)


def _remove_demo_store(store) -> None:
    """The demo store's own files (main, parts, lock, backups); nothing else in its folder."""
    import shutil

    target = store.target
    if not target.exists() and not store.parts_dir.exists():
        return
    if target.exists():
        # Only a store okrtui made: a file that is not one is left alone and refused.
        store.load(lambda snapshot: None)
    shutil.rmtree(store.parts_dir, ignore_errors=True)
    for path in target.parent.glob(target.name + "*"):
        if path.is_file() and store.owns(path):
            path.unlink()


def cmd_doctor(args: argparse.Namespace) -> int:
    from okrtui.store.doctor import examine

    store = _store(args, read_only=True)
    healthy, lines = examine(store)
    say("\n".join(lines))
    return EXIT_OK if healthy else EXIT_STORE


def cmd_open(args: argparse.Namespace) -> int:
    return _open_app(_store(args, read_only=_read_only(args)), args)


def _open_app(store, args: argparse.Namespace) -> int:
    from okrtui.app.app import run_app

    return run_app(store, as_of=getattr(args, "as_of", None), user=_user(args))


# Commands that write to the store: refused under --read-only before anything is opened.
WRITES = {"init", "import", "checkin", "measure"}


class ReadOnlyRefusal(UsageError):
    pass


def _read_only(args: argparse.Namespace) -> bool:
    return bool(getattr(args, "read_only", False))


COMMANDS: dict[Optional[str], Callable[[argparse.Namespace], int]] = {
    None: cmd_open, "demo": cmd_demo, "init": cmd_init, "import": cmd_import, "export": cmd_export,
    "report": cmd_report, "checkin": cmd_checkin, "doctor": cmd_doctor, "due": cmd_due,
    "measure": cmd_measure,
}


def main(argv: Optional[Sequence[str]] = None) -> int:
    from okrtui.domain.text import printable
    from okrtui.store import StoreError

    def complain(message: str) -> None:
        # Messages quote what the user typed or named; it must not drive the terminal.
        print(f"okrtui: {printable(message)}", file=sys.stderr)

    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser(argv[0] if argv and argv[0] in COMMANDS else None).parse_args(argv)
    try:
        if _read_only(args) and args.command in WRITES:
            raise ReadOnlyRefusal(f"read-only: `okrtui {args.command}` writes to the store, and --read-only "
                                  "forbids every write (nothing was written)")
        return COMMANDS[args.command](args)
    except InvalidInput as exc:
        for problem in exc.problems[:MAX_PROBLEMS_SHOWN]:
            complain(problem)
        if len(exc.problems) > MAX_PROBLEMS_SHOWN:
            complain(f"... and {len(exc.problems) - MAX_PROBLEMS_SHOWN} more problems")
        return EXIT_INPUT
    except UsageError as exc:
        complain(str(exc))
        return EXIT_INPUT
    except StoreError as exc:
        complain(str(exc))
        return EXIT_STORE
    except BrokenPipeError:
        return EXIT_OK
    except OSError as exc:
        from okrtui.store.files import os_problem

        complain(os_problem(exc, "failed"))
        return EXIT_STORE
    except KeyboardInterrupt:  # ctrl+c: the store holds the old state or the new one
        complain("interrupted")
        return 130
    except MemoryError:
        complain("out of memory; nothing was written")
        return EXIT_STORE
    except Exception as exc:  # a bug: one line, not a traceback, unless asked for
        if os.environ.get("OKRTUI_DEBUG"):
            raise
        complain(f"internal error: {exc.__class__.__name__}: {exc} (a bug in okrtui; "
                 "set OKRTUI_DEBUG=1 to see where, and please report it)")
        return EXIT_STORE
