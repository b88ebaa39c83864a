"""Load: N concurrent browser sessions moving the map's date against one server.

    python benchmarks/load.py [--sessions 20] [--seconds 60] [--json FILE]

One Streamlit server (``mapapp/app.py`` on the shipped data, tiles off), one Debian
Chromium (offline, as in run.py), N browser contexts -- each a new visitor, so a new
Streamlit session. Once every page has drawn its map, all sessions start together and
for D seconds each moves the date over and over with the map's own controls: clicks on
"◀ Previous change" / "Next change ▶" and arrow keys on the map's slider (one day), in a
mix, pace and starting day that differ per session so they do not move in lockstep.

For every move, on the page's own clock, from the input (``pointerdown`` / ``keydown``):

* **repaint** -- to the first animation frame where the map's drawn day
  (``.mapapp-map[data-day]``, set as the polygons are restyled) has changed;
* **server follow** -- to the first animation frame where the URL's ``?date=`` is the new
  day: the server's rerun for that move has reached the browser.

Errors, by kind: uncaught page errors, console errors, ``stException`` elements, Streamlit's
connection banner (``stConnectionStatus``) or "Connection error" dialog, websocket closes and
reconnects, a map or URL that did not catch up within ``--timeout`` seconds, non-local
requests, and tracebacks in the server's log. Also recorded: moves per session, the server
process's CPU and RSS (from /proc), the machine's CPU and load average, the machine.

A benchmark, not a test: it exits 0 whatever it saw, and prints what it saw.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.run import (  # noqa: E402
    JS_DRAWN,
    OFFLINE_ARGS,
    TIMES,
    VIEWPORT,
    Wire,
    log,
    machine,
    p95,
    reason,
)
from mapapp.ui.launch import CHROMIUM, CHROMIUM_ARGS, Server, start_app  # noqa: E402

MAP = ".mapapp-map"
PLACES = 12
#: the shipped data's view range (mapapp.core.timeline.Timeline.view_range)
FIRST_DAY, LAST_DAY = date(2015, 1, 29), date(2015, 10, 1)
#: error kinds, in the order the table lists them
ERROR_KINDS = (
    "open",
    "page_error",
    "console_error",
    "exception_shown",
    "connection_banner",
    "websocket_closed",
    "websocket_reopened",
    "repaint_timeout",
    "follow_timeout",
    "input_not_seen",
    "blocked_request",
    "driver",
    "server_traceback",
)
#: examples kept per error kind
EXAMPLES = 5

#: (page) from now on, on the page's clock: the time of each input; each day the map draws,
#: at the first animation frame after it is drawn; each ``?date=`` the URL takes (Streamlit
#: calls ``history.pushState`` / ``replaceState``); and every exception, connection banner
#: or connection-error dialog Streamlit shows (each element once, however briefly shown).
#: Noted as they happen rather than polled every frame: 20 pages each asking for a frame
#: 60 times a second would load the machine they measure.
JS_ARM = """() => {
    const load = window.__load = {t0: null, click: null, painted: [], urls: [], seen: []};
    addEventListener('pointerdown', () => { load.t0 = performance.now(); }, true);
    addEventListener('click', () => { load.click = performance.now(); }, true);
    addEventListener('keydown', () => { load.t0 = performance.now(); }, true);
    new MutationObserver(records => {
        for (const r of records) {
            const day = r.target.dataset.day;
            if (day === r.oldValue) continue;
            requestAnimationFrame(() => load.painted.push([day, performance.now()]));
        }
    }).observe(document.querySelector('.mapapp-map'),
               {attributes: true, attributeFilter: ['data-day'], attributeOldValue: true});
    for (const name of ['pushState', 'replaceState']) {
        const original = history[name].bind(history);
        history[name] = (...args) => {
            const result = original(...args);
            load.urls.push([new URLSearchParams(location.search).get('date'), performance.now()]);
            return result;
        };
    }
    const noted = new WeakSet();
    const kinds = [
        ['exception_shown', '[data-testid="stException"]'],
        ['connection_banner', '[data-testid="stConnectionStatus"]'],
        ['connection_banner', '[role="dialog"]'],
    ];
    const check = () => {
        for (const [kind, sel] of kinds) {
            for (const el of document.querySelectorAll(sel)) {
                if (noted.has(el)) continue;
                noted.add(el);
                const text = (el.textContent || '').trim().slice(0, 200);
                if (sel.startsWith('[role') && !/connection/i.test(text)) continue;
                load.seen.push([kind, text || sel]);
            }
        }
    };
    new MutationObserver(check).observe(document.body, {childList: true, subtree: true});
    check();
}"""
#: (page) before a move: forget the last input; where the controls stand
JS_BEFORE = """() => {
    const load = window.__load;
    load.t0 = load.click = null;
    load.urlBefore = new URLSearchParams(location.search).get('date');
    load.painted = [];
    load.urls = [];
    const q = s => document.querySelector(s);
    return {
        day: q('.mapapp-map').dataset.day || null,
        value: Number(q('.mapapp-slider').value),
        max: Number(q('.mapapp-slider').max),
        prev: !q('.mapapp-prev').disabled,
        next: !q('.mapapp-next').disabled,
        focused: document.activeElement === q('.mapapp-slider'),
    };
}"""
#: (page) after a move: wait (up to ``ms`` each) until the map has drawn a day other than
#: ``before`` since JS_BEFORE, then until the URL has carried that day; when each happened
#: (null: it did not) and when the input came. One call per move, looking every 50 ms at
#: what the page noted as it happened (so the pace of looking does not count).
JS_AFTER = """async ([before, ms]) => {
    const load = window.__load;
    const until = async (find) => {
        const end = performance.now() + ms;
        for (;;) {
            const found = find();
            if (found || performance.now() > end) return found || null;
            await new Promise(resolve => setTimeout(resolve, 50));
        }
    };
    const painted = await until(() => load.painted.find(([day]) => day !== before));
    // the URL already shows that day (it lagged behind an earlier move): no change to see
    const stale = painted && painted[0] === load.urlBefore;
    const followed = painted && !stale
        && await until(() => load.urls.find(([d]) => d === painted[0]));
    return {painted, followed, stale, t0: load.t0, click: load.click};
}"""
#: (page) the URL carries ``day`` (opening a session, before JS_ARM)
JS_AT_DAY = """day => new URLSearchParams(location.search).get('date') === day"""
#: (page) what the page noted since JS_ARM
JS_SEEN = "() => window.__load ? window.__load.seen : []"

#: moves: (name, what is pressed)
MOVES = {"next": "button", "prev": "button", "right": "key", "left": "key"}


@dataclass
class Session:
    """One visitor: its habits (drawn from its own seed) and what it measured."""

    index: int
    seed: int
    #: how often it clicks a change button rather than pressing an arrow key
    p_button: float
    #: the longest pause between moves, seconds (each pause is uniform up to it)
    pause_max: float
    start_day: date
    moves: list[dict[str, Any]] = field(default_factory=list)
    errors: dict[str, list[str]] = field(default_factory=dict)
    ws_opened: int = 0
    ws_frames: int = 0
    ws_bytes: int = 0
    opened_s: float | None = None
    #: its page is being closed: a websocket closing now is not an error
    closing: bool = False

    @classmethod
    def make(cls, index: int, base_seed: int) -> Session:
        rng = random.Random(base_seed * 1000 + index)
        span = (LAST_DAY - FIRST_DAY).days
        return cls(
            index=index,
            seed=base_seed * 1000 + index,
            p_button=round(rng.uniform(0.25, 0.75), 2),
            pause_max=round(rng.uniform(0.1, 0.8), 2),
            start_day=FIRST_DAY + timedelta(days=rng.randrange(span + 1)),
        )

    def error(self, kind: str, text: str) -> None:
        self.errors.setdefault(kind, []).append(text[:300])


def choose(rng: random.Random, s: Session, at: dict[str, Any]) -> str:
    """A move that changes the day from where the controls stand: a button (if enabled)
    with the session's odds, else an arrow key (never past the slider's ends)."""
    buttons = [m for m in ("next", "prev") if at[m]]
    keys = [m for m, ok in (("right", at["value"] < at["max"]), ("left", at["value"] > 0)) if ok]
    if buttons and (not keys or rng.random() < s.p_button):
        return rng.choice(buttons)
    return rng.choice(keys)


async def open_session(browser: Any, server: Server, s: Session, wire: Wire, cap: float) -> Any:
    """A new context and page on the session's day, with its error listeners, once the
    map is drawn and the server has run for it."""
    context = await browser.new_context(viewport=VIEWPORT)
    page = await context.new_page()

    def on_websocket(ws: Any) -> None:
        s.ws_opened += 1
        if s.ws_opened > 1:
            s.error("websocket_reopened", f"websocket {s.ws_opened} opened: {ws.url}")
        ws.on("framereceived", wire.on_frame)
        ws.on("close", lambda _ws: None if s.closing else s.error("websocket_closed", ws.url))

    def on_console(message: Any) -> None:
        if message.type == "error":
            s.error("console_error", f"{message.text} @ {message.location.get('url', '')}")

    page.on("websocket", on_websocket)
    page.on("request", wire.on_request)
    page.on("pageerror", lambda exc: s.error("page_error", str(exc)))
    page.on("console", on_console)
    page.on("crash", lambda _page: s.error("page_error", "the page crashed"))
    started = time.monotonic()
    url = f"{server.url}/?date={s.start_day.isoformat()}&lang=en"
    await page.goto(url, wait_until="commit", timeout=cap * 1000)
    await page.wait_for_function(JS_DRAWN, arg=[MAP, PLACES], timeout=cap * 1000)
    await page.wait_for_function(JS_AT_DAY, arg=s.start_day.isoformat(), timeout=cap * 1000)
    await page.evaluate(JS_ARM)
    s.opened_s = round(time.monotonic() - started, 2)
    return page


async def move_once(page: Any, s: Session, rng: random.Random, timeout_ms: float) -> None:
    """One move, timed; what went wrong is counted on the session."""
    at = await page.evaluate(JS_BEFORE)
    name = choose(rng, s, at)
    if MOVES[name] == "button":
        await page.locator(f".mapapp-{name}").click(timeout=timeout_ms)
    else:
        if not at["focused"]:
            await page.locator(".mapapp-slider").focus(timeout=timeout_ms)
        await page.keyboard.press("ArrowRight" if name == "right" else "ArrowLeft")
    record: dict[str, Any] = {"move": name, "from": at["day"]}
    s.moves.append(record)
    seen = await asyncio.wait_for(
        page.evaluate(JS_AFTER, [at["day"], timeout_ms]), timeout=2 * timeout_ms / 1000 + 30
    )
    wait = f"{timeout_ms / 1000:g} s"
    if seen["painted"] is None:
        s.error("repaint_timeout", f"{name} from {at['day']}: the map drew no new day in {wait}")
        return
    (record["to"], painted), t0 = seen["painted"], seen["t0"]
    if seen["stale"]:  # the server's follow cannot be seen in the URL: repaint only
        record["stale_url"] = True
    elif seen["followed"] is None:
        s.error("follow_timeout", f"{name} {at['day']} -> {record['to']}: no URL in {wait}")
        return
    if t0 is None:
        s.error("input_not_seen", f"{name} from {at['day']}: no pointerdown/keydown noted")
        return
    record["repaint_ms"] = round(painted - t0, 1)
    if seen["followed"]:
        record["follow_ms"] = round(seen["followed"][1] - t0, 1)
    if seen["click"] is not None:  # a button: its click event ends the press
        record["repaint_from_click_ms"] = round(painted - seen["click"], 1)


async def run_session(
    browser: Any,
    server: Server,
    s: Session,
    seconds: float,
    timeout: float,
    gate: asyncio.Semaphore,
    together: asyncio.Barrier,
) -> None:
    """Open the session's page; with all the others: start moving, and stop (so that the
    CPU of every page is counted before any closes)."""
    wire = Wire()
    page = None
    try:
        async with gate:  # a few pages load at a time: 20 at once only time each other out
            page = await open_session(browser, server, s, wire, cap=120.0)
    except Exception as exc:
        s.error("open", reason(exc))
    await together.wait()  # every session moves in the same D seconds
    rng = random.Random(s.seed)
    if page is not None:
        await asyncio.sleep(rng.uniform(0, s.pause_max))  # not all on the same beat
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                await move_once(page, s, rng, timeout * 1000)
            except Exception as exc:
                s.error("driver", reason(exc))
                await asyncio.sleep(0.5)
            await asyncio.sleep(rng.uniform(0, s.pause_max))
        with contextlib.suppress(Exception):
            for kind, text in await page.evaluate(JS_SEEN):
                s.error(kind, text)
    await together.wait()
    if page is not None:
        s.closing = True
        await page.context.close()
    for url in sorted(set(wire.blocked)):
        s.error("blocked_request", url)
    s.ws_frames = len(wire.frames)
    s.ws_bytes = sum(f[1] for f in wire.frames)


# -- the server and the machine, from /proc --------------------------------------------------
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def machine_ticks() -> tuple[int, int]:
    """(busy, total) jiffies of all CPUs since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    return sum(values) - idle, sum(values)


def cpu_by_group(server_pid: int) -> dict[int, tuple[str, float]]:
    """pid -> (which part of the run it is, CPU seconds so far) for every process: the
    server, this harness, its Playwright driver and Chromium (processes descended from
    this one), and everything else on the machine."""
    parent: dict[int, int] = {}
    seconds: dict[int, float] = {}
    argv0: dict[int, bytes] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        pid = int(entry.name)
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            argv0[pid] = (entry / "cmdline").read_bytes().split(b"\0")[0]
        except (OSError, IndexError):
            continue
        parent[pid] = int(fields[1])
        seconds[pid] = (int(fields[11]) + int(fields[12])) / TICKS

    def ours(pid: int) -> bool:
        for _ in range(64):
            if pid == os.getpid():
                return True
            if pid not in parent or pid <= 1:
                return False
            pid = parent[pid]
        return False

    out: dict[int, tuple[str, float]] = {}
    for pid, cpu in seconds.items():
        if pid == server_pid:
            group = "server"
        elif pid == os.getpid():
            group = "harness (python)"
        elif not ours(pid):
            group = "other processes"
        elif b"chromium" in argv0[pid]:
            group = "chromium"
        else:
            group = "playwright driver"
        out[pid] = (group, cpu)
    return out


#: the niceness of the harness and its Playwright driver: the machine is shared with what is
#: measured (the server and Chromium), and the driver's ~0.1 s of CPU per move is not
HARNESS_NICE = 10


def yield_to_the_measured(server_pid: int) -> None:
    """Lower the priority of this harness and of Playwright's driver (not of Chromium,
    which the driver has started by now; its processes keep their own priority)."""
    for pid, (group, _) in cpu_by_group(server_pid).items():
        if group in ("harness (python)", "playwright driver"):
            with contextlib.suppress(OSError):
                os.setpriority(os.PRIO_PROCESS, pid, HARNESS_NICE)


@dataclass
class Mark:
    at: float
    server: float
    ticks: tuple[int, int]
    processes: dict[int, tuple[str, float]]


@dataclass
class Usage:
    """The server process's CPU and RSS (sampled every second), the machine's CPU, and the
    CPU each part of the run took (server, Chromium, Playwright's driver, this harness)."""

    pid: int
    rss: list[float] = field(default_factory=list)
    start: Mark | None = None
    end: Mark | None = None

    def mark(self) -> Mark:
        return Mark(
            time.monotonic(), cpu_seconds(self.pid), machine_ticks(), cpu_by_group(self.pid)
        )

    async def sample(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            with contextlib.suppress(OSError):
                self.rss.append(rss_mb(self.pid))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=1.0)

    def summary(self) -> dict[str, Any]:
        if self.start is None or self.end is None:
            return {}
        wall = self.end.at - self.start.at
        cpu = self.end.server - self.start.server
        busy = self.end.ticks[0] - self.start.ticks[0]
        total = self.end.ticks[1] - self.start.ticks[1]
        groups: dict[str, float] = {}
        for pid, (group, seconds) in self.end.processes.items():
            before = self.start.processes.get(pid, (group, 0.0))[1]
            groups[group] = groups.get(group, 0.0) + seconds - before
        return {
            "server_cpu_seconds": round(cpu, 1),
            "server_cpu_percent_of_one_core": round(100 * cpu / wall, 1) if wall else None,
            "server_rss_mb_start": round(self.rss[0], 1) if self.rss else None,
            "server_rss_mb_max": round(max(self.rss), 1) if self.rss else None,
            "server_rss_mb_end": round(self.rss[-1], 1) if self.rss else None,
            "machine_cpu_busy_percent": round(100 * busy / total, 1) if total else None,
            "cpu_seconds_by_part": {
                k: round(v, 1) for k, v in sorted(groups.items(), key=lambda kv: -kv[1])
            },
            "moving_wall_s": round(wall, 1),
        }


def server_tracebacks(log_path: Path) -> list[str]:
    """Each traceback (or uncaught app exception) in the server's log, as the first
    unindented line after it (the exception)."""
    lines = log_path.read_text(encoding="utf-8", errors="replace").splitlines()
    found = []
    for i, line in enumerate(lines):
        if "Traceback (most recent call last)" in line or "Uncaught app" in line:
            tail = next((ln for ln in lines[i + 1 :] if ln and not ln.startswith((" ", "\t"))), "?")
            found.append(tail.strip()[:300])
    return found


# -- the run ---------------------------------------------------------------------------------
def stats(values: list[float]) -> dict[str, float | int | None]:
    return {
        "n": len(values),
        "p50": round(statistics.median(values), 1) if values else None,
        "p95": round(p, 1) if (p := p95(values)) is not None else None,
        "max": max(values) if values else None,
    }


async def drive(args: argparse.Namespace, server: Server) -> dict[str, Any]:
    from playwright.async_api import async_playwright

    sessions = [Session.make(i, args.seed) for i in range(args.sessions)]
    usage = Usage(server.process.pid)
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS + OFFLINE_ARGS
        )
        yield_to_the_measured(server.process.pid)
        try:
            gate = asyncio.Semaphore(4)
            together = asyncio.Barrier(len(sessions) + 1)
            tasks = [
                asyncio.create_task(
                    run_session(browser, server, s, args.seconds, args.timeout, gate, together)
                )
                for s in sessions
            ]
            log(f"opening {len(sessions)} sessions")
            opening = time.monotonic()
            await together.wait()
            log(f"all open in {time.monotonic() - opening:.1f} s; moving for {args.seconds} s")
            stop = asyncio.Event()
            usage.start = usage.mark()
            sampler = asyncio.create_task(usage.sample(stop))
            await together.wait()  # all have stopped moving; none has closed yet
            usage.end = usage.mark()
            stop.set()
            await sampler
            await asyncio.gather(*tasks)
        finally:
            await browser.close()
    return {"sessions": sessions, "usage": usage, "opening_s": time.monotonic() - opening}


def summarise(sessions: list[Session], tracebacks: list[str]) -> dict[str, Any]:
    moves = [m for s in sessions for m in s.moves]
    errors: dict[str, int] = dict.fromkeys(ERROR_KINDS, 0)
    examples: dict[str, list[str]] = {}
    for s in sessions:
        for kind, texts in s.errors.items():
            errors[kind] = errors.get(kind, 0) + len(texts)
            examples.setdefault(kind, []).extend(f"session {s.index}: {t}" for t in texts)
    errors["server_traceback"] = len(tracebacks)
    if tracebacks:
        examples["server_traceback"] = tracebacks
    per_session = [len(s.moves) for s in sessions]

    def values(key: str, kind: str | None = None) -> dict[str, float | int | None]:
        return stats(
            [m[key] for m in moves if key in m and (kind is None or MOVES[m["move"]] == kind)]
        )

    by_input = {
        kind: {
            "repaint_ms": values("repaint_ms", kind),
            "repaint_from_click_ms": values("repaint_from_click_ms", kind),
            "server_follow_ms": values("follow_ms", kind),
        }
        for kind in ("button", "key")
    }
    return {
        "moves": len(moves),
        "timed_moves": sum(1 for m in moves if "repaint_ms" in m),
        #: moves onto the day the URL already showed (it lagged an earlier move): their
        #: server follow cannot be seen, their repaint is timed
        "stale_url_moves": sum(1 for m in moves if m.get("stale_url")),
        "moves_per_session": {
            "min": min(per_session, default=0),
            "median": statistics.median(per_session) if per_session else 0,
            "max": max(per_session, default=0),
        },
        "repaint_ms": values("repaint_ms"),
        "server_follow_ms": values("follow_ms"),
        "by_input": by_input,
        "errors": errors,
        "error_total": sum(errors.values()),
        "error_examples": {k: v[:EXAMPLES] for k, v in examples.items()},
    }


def render(out: dict[str, Any]) -> str:
    res = out["results"]
    use = out["usage"]

    def ms(block: dict[str, Any]) -> str:
        if not block["n"]:
            return "—"
        return f"{block['p50']:,.0f} / {block['p95']:,.0f} / {block['max']:,.0f} ms"

    per = res["moves_per_session"]
    rows = [
        (f"sessions {TIMES} seconds", f"{out['sessions']} {TIMES} {out['seconds']:g} s"),
        ("moves (timed)", f"{res['moves']:,} ({res['timed_moves']:,})"),
        ("moves per session: min / median / max",
         f"{per['min']} / {per['median']:g} / {per['max']}"),
        ("repaint p50 / p95 / max", ms(res["repaint_ms"])),
        ("  buttons", ms(res["by_input"]["button"]["repaint_ms"])),
        ("  buttons, from the click event", ms(res["by_input"]["button"]["repaint_from_click_ms"])),
        ("  arrow keys", ms(res["by_input"]["key"]["repaint_ms"])),
        ("server follow p50 / p95 / max", ms(res["server_follow_ms"])),
        ("  buttons", ms(res["by_input"]["button"]["server_follow_ms"])),
        ("  arrow keys (150 ms debounce)", ms(res["by_input"]["key"]["server_follow_ms"])),
        ("errors", str(res["error_total"])),
        *((f"  {k}", str(v)) for k, v in res["errors"].items() if v),
        ("server CPU (% of one core) / seconds",
         f"{use.get('server_cpu_percent_of_one_core')} % / {use.get('server_cpu_seconds')} s"),
        ("server RSS start / max / end",
         f"{use.get('server_rss_mb_start')} / {use.get('server_rss_mb_max')} / "
         f"{use.get('server_rss_mb_end')} MB"),
        ("machine CPU busy (all cores)", f"{use.get('machine_cpu_busy_percent')} %"),
        ("CPU seconds by part", ", ".join(
            f"{k} {v:g}" for k, v in use.get("cpu_seconds_by_part", {}).items())),
        ("load average at start / end",
         f"{out['load_average_at_start'][0]:.2f} / {out['load_average_at_end'][0]:.2f}"),
    ]  # fmt: skip
    lines = ["| metric | value |", "|---|---|", *(f"| {k} | {v} |" for k, v in rows)]
    notes = [f"- {kind}: {text}" for kind, texts in res["error_examples"].items() for text in texts]
    return "\n".join(lines + (["", "Errors (first few of each kind):", *notes] if notes else []))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=20, help="browser sessions (default 20)")
    parser.add_argument("--seconds", type=float, default=60.0, help="moving time (default 60)")
    parser.add_argument("--json", type=Path, help="write the results here")
    parser.add_argument(
        "--timeout", type=float, default=10.0, help="seconds a move may take to show (10)"
    )
    parser.add_argument("--seed", type=int, default=1, help="the sessions' habits (default 1)")
    parser.add_argument("--server-log", type=Path, help="keep the server's log here")
    args = parser.parse_args(argv)

    command = " ".join(["python", "benchmarks/load.py", *sys.argv[1:]]) if argv is None else ""
    out: dict[str, Any] = {
        "command": command,
        "started": datetime.now().isoformat(timespec="seconds"),
        "machine": machine(),
        "load_average_at_start": os.getloadavg(),
        "sessions": args.sessions,
        "seconds": args.seconds,
        "move_timeout_s": args.timeout,
        "seed": args.seed,
    }
    with tempfile.TemporaryDirectory(prefix="mapapp-load-") as tmp:
        log_path = Path(tmp) / "streamlit.log"
        server = start_app(log_path, data=None, tiles=False, timeout=60)
        try:
            driven = asyncio.run(drive(args, server))
        finally:
            server.stop()
        tracebacks = server_tracebacks(log_path)
        server_log = log_path.read_text(encoding="utf-8", errors="replace")
        if args.server_log:
            args.server_log.write_text(server_log, encoding="utf-8")
    sessions: list[Session] = driven["sessions"]
    out["load_average_at_end"] = os.getloadavg()
    out["finished"] = datetime.now().isoformat(timespec="seconds")
    out["opening_and_moving_s"] = round(driven["opening_s"], 1)
    out["usage"] = driven["usage"].summary()
    out["results"] = summarise(sessions, tracebacks)
    out["server_log_tail"] = server_log.splitlines()[-60:]
    out["per_session"] = [
        {
            "session": s.index,
            "p_button": s.p_button,
            "pause_max_s": s.pause_max,
            "start_day": s.start_day.isoformat(),
            "opened_s": s.opened_s,
            "moves": len(s.moves),
            "errors": {k: len(v) for k, v in s.errors.items()},
            "websockets": s.ws_opened,
            "ws_frames": s.ws_frames,
            "ws_bytes": s.ws_bytes,
            "samples": [
                [
                    m["move"],
                    m.get("from"),
                    m.get("to"),
                    m.get("repaint_ms"),
                    m.get("follow_ms"),
                    m.get("repaint_from_click_ms"),
                ]
                for m in s.moves
            ],
        }
        for s in sessions
    ]
    print(render(out))
    if args.json:
        args.json.write_text(json.dumps(out, indent=1, ensure_ascii=False, default=str) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
