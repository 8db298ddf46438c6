#!/usr/bin/env python3
"""Render a terminal capture with ANSI colours (``tmux capture-pane -p -e``) to a PNG.

The input is parsed into a grid of cells (character, foreground, background, attributes) the way a
terminal would show it, then drawn with Pillow in a monospace font. SGR sequences understood:
reset, bold, dim, italic (ignored), underline, blink (ignored), reverse, hidden, strike-through,
their "off" forms, the 8/16 colours, 256 colours and truecolor (``;`` or ``:`` separated), default
colours. Other escape sequences (cursor movement, OSC hyperlinks, charset selection) are skipped.
SGR state carries over line breaks, as tmux emits it.

Box-drawing lines (light and heavy, rounded corners) and block elements (eighth blocks, halves,
quadrants, shades) are drawn as shapes so that borders join between cells and bars are crisp;
everything else is drawn from the font (DejaVu Sans Mono, falling back to DejaVu Sans for glyphs
the monospace face lacks).

Usage: ansi2png.py [--cols 140] [--rows 36] [--font-size 16] INPUT OUTPUT.png
       (INPUT may be ``-`` for standard input)
"""

from __future__ import annotations

import argparse
import sys
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

Color = tuple[int, int, int]

DEFAULT_FG: Color = (0xD0, 0xD0, 0xD0)
DEFAULT_BG: Color = (0x1E, 0x1E, 0x1E)

# xterm's default 16-colour palette.
XTERM16: list[Color] = [
    (0x00, 0x00, 0x00), (0xCD, 0x00, 0x00), (0x00, 0xCD, 0x00), (0xCD, 0xCD, 0x00),
    (0x00, 0x00, 0xEE), (0xCD, 0x00, 0xCD), (0x00, 0xCD, 0xCD), (0xE5, 0xE5, 0xE5),
    (0x7F, 0x7F, 0x7F), (0xFF, 0x00, 0x00), (0x00, 0xFF, 0x00), (0xFF, 0xFF, 0x00),
    (0x5C, 0x5C, 0xFF), (0xFF, 0x00, 0xFF), (0x00, 0xFF, 0xFF), (0xFF, 0xFF, 0xFF),
]

FONT_DIRS = [
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/TTF"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/local/share/fonts"),
    Path.home() / ".fonts",
]


def palette256(index: int) -> Color:
    """Colour of xterm 256-colour palette entry ``index``."""
    if index < 16:
        return XTERM16[index]
    if index < 232:
        index -= 16
        levels = (0, 95, 135, 175, 215, 255)
        return (levels[index // 36], levels[(index // 6) % 6], levels[index % 6])
    grey = 8 + 10 * (index - 232)
    return (grey, grey, grey)


@dataclass(frozen=True)
class Style:
    """Graphic rendition of one cell; ``None`` colours mean the terminal default."""

    fg: Color | None = None
    bg: Color | None = None
    bold: bool = False
    dim: bool = False
    underline: bool = False
    reverse: bool = False
    hidden: bool = False
    strike: bool = False


@dataclass
class Cell:
    """One terminal cell. ``ch`` is "" for the right half of a wide character."""

    ch: str
    style: Style


def _extended_color(params: list[list[int]], i: int) -> tuple[Color | None, int]:
    """Parse the colour after a 38/48/58 parameter at ``params[i]``; return it and the next index.

    Handles both ``38;5;n`` / ``38;2;r;g;b`` and the colon forms ``38:5:n`` / ``38:2::r:g:b``.
    """
    head = params[i]
    if len(head) > 1:  # colon form: everything is in this one parameter
        sub = head[1:]
        if sub and sub[0] == 5 and len(sub) >= 2:
            return palette256(sub[1] % 256), i + 1
        if sub and sub[0] == 2:
            rgb = sub[-3:] if len(sub) >= 4 else sub[1:4]
            if len(rgb) == 3:
                return (rgb[0] % 256, rgb[1] % 256, rgb[2] % 256), i + 1
        return None, i + 1
    if i + 1 < len(params):
        mode = params[i + 1][0]
        if mode == 5 and i + 2 < len(params):
            return palette256(params[i + 2][0] % 256), i + 3
        if mode == 2 and i + 4 < len(params):
            r, g, b = (params[i + k][0] % 256 for k in (2, 3, 4))
            return (r, g, b), i + 5
    return None, len(params)


def apply_sgr(style: Style, raw: str) -> Style:
    """Return ``style`` updated by the SGR parameter string ``raw`` (the part before ``m``)."""
    params = [[int(x) if x.isdigit() else 0 for x in p.split(":")] for p in raw.split(";")] if raw else [[0]]
    i = 0
    while i < len(params):
        code = params[i][0]
        if code == 0:
            style = Style()
        elif code == 1:
            style = replace(style, bold=True)
        elif code == 2:
            style = replace(style, dim=True)
        elif code == 4:
            sub = params[i][1] if len(params[i]) > 1 else 1
            style = replace(style, underline=sub != 0)
        elif code == 7:
            style = replace(style, reverse=True)
        elif code == 8:
            style = replace(style, hidden=True)
        elif code == 9:
            style = replace(style, strike=True)
        elif code in (21, 22):
            style = replace(style, bold=False, dim=False)
        elif code == 24:
            style = replace(style, underline=False)
        elif code == 27:
            style = replace(style, reverse=False)
        elif code == 28:
            style = replace(style, hidden=False)
        elif code == 29:
            style = replace(style, strike=False)
        elif 30 <= code <= 37:
            style = replace(style, fg=XTERM16[code - 30])
        elif 90 <= code <= 97:
            style = replace(style, fg=XTERM16[code - 90 + 8])
        elif code == 39:
            style = replace(style, fg=None)
        elif 40 <= code <= 47:
            style = replace(style, bg=XTERM16[code - 40])
        elif 100 <= code <= 107:
            style = replace(style, bg=XTERM16[code - 100 + 8])
        elif code == 49:
            style = replace(style, bg=None)
        elif code in (38, 48, 58):
            color, nxt = _extended_color(params, i)
            if code == 38:
                style = replace(style, fg=color)
            elif code == 48:
                style = replace(style, bg=color)
            i = nxt
            continue
        # 3/23 italic, 5/6/25 blink, 53/55 overline, 59 underline colour: not rendered.
        i += 1
    return style


def char_width(ch: str) -> int:
    """Terminal columns taken by ``ch``: 0 for combining marks, 2 for wide East Asian forms."""
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def parse(text: str, cols: int, rows: int) -> list[list[Cell]]:
    """Parse captured text into a ``rows`` x ``cols`` grid. Extra lines and columns are dropped."""
    blank = Cell(" ", Style())
    grid = [[blank for _ in range(cols)] for _ in range(rows)]
    style = Style()
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    for y, line in enumerate(lines[:rows]):
        x = 0
        i = 0
        n = len(line)
        while i < n:
            ch = line[i]
            if ch == "\x1b":
                i += 1
                if i >= n:
                    break
                kind = line[i]
                if kind == "[":  # CSI: parameters, intermediates, final byte
                    j = i + 1
                    while j < n and not ("\x40" <= line[j] <= "\x7e"):
                        j += 1
                    if j < n and line[j] == "m":
                        style = apply_sgr(style, line[i + 1 : j])
                    i = j + 1
                elif kind == "]":  # OSC: until BEL or ST (ESC \)
                    j = i + 1
                    while j < n and line[j] != "\x07" and not (line[j] == "\x1b" and j + 1 < n and line[j + 1] == "\\"):
                        j += 1
                    i = j + (2 if j < n and line[j] == "\x1b" else 1)
                elif kind in "()*+":  # charset designation: one more byte
                    i += 2
                else:
                    i += 1
                continue
            i += 1
            if ch == "\r" or ch < " " and ch != "\t":
                continue
            if ch == "\t":
                x = min(cols, (x // 8 + 1) * 8)
                continue
            w = char_width(ch)
            if w == 0:
                if x > 0 and grid[y][x - 1].ch:
                    prev = grid[y][x - 1]
                    grid[y][x - 1] = Cell(prev.ch + ch, prev.style)
                continue
            if x + w > cols:
                continue
            grid[y][x] = Cell(ch, style)
            if w == 2:
                grid[y][x + 1] = Cell("", style)
            x += w
    return grid


def find_font(names: list[str]) -> Path | None:
    """First existing font file among ``names`` in the usual font directories."""
    for name in names:
        p = Path(name)
        if p.is_file():
            return p
        for d in FONT_DIRS:
            if (d / name).is_file():
                return d / name
            if d.is_dir():
                hits = list(d.rglob(name))
                if hits:
                    return hits[0]
    return None


class Fonts:
    """Regular and bold monospace faces plus a proportional fallback for missing glyphs."""

    def __init__(self, size: int, regular: str | None, bold: str | None) -> None:
        reg = find_font([regular] if regular else ["DejaVuSansMono.ttf"])
        if reg is None:
            raise SystemExit("no monospace font found: install fonts-dejavu-core or pass --font")
        bld = find_font([bold] if bold else ["DejaVuSansMono-Bold.ttf"]) or reg
        self.regular = ImageFont.truetype(str(reg), size)
        self.bold = ImageFont.truetype(str(bld), size)
        fallbacks = [find_font([n]) for n in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")]
        self.fallback = [ImageFont.truetype(str(p), size) for p in fallbacks if p is not None]
        ascent, descent = self.regular.getmetrics()
        self.ascent = ascent
        self.cell_w = round(self.regular.getlength("M"))
        self.cell_h = ascent + descent
        self._notdef: dict[int, bytes] = {}
        self._cache: dict[tuple[str, bool], ImageFont.FreeTypeFont] = {}

    def _missing(self, font: ImageFont.FreeTypeFont, ch: str) -> bool:
        """Whether ``font`` renders ``ch`` as its .notdef glyph (i.e. lacks it)."""
        key = id(font)
        if key not in self._notdef:
            self._notdef[key] = bytes(font.getmask("\ue000"))
        return bytes(font.getmask(ch)) == self._notdef[key]

    def pick(self, ch: str, bold: bool) -> ImageFont.FreeTypeFont:
        """The face to draw ``ch`` with: the monospace one unless it lacks the glyph."""
        key = (ch, bold)
        if key not in self._cache:
            primary = self.bold if bold else self.regular
            chosen = primary
            if not ch.isspace() and self._missing(primary, ch[0]):
                for fb in self.fallback:
                    if not self._missing(fb, ch[0]):
                        chosen = fb
                        break
            self._cache[key] = chosen
        return self._cache[key]


# Box drawing: arms (up, right, down, left), 1 = light, 2 = heavy.
BOX: dict[str, tuple[int, int, int, int]] = {}
for chars, weight in (("─│┌┐└┘├┤┬┴┼╴╵╶╷", 1), ("━┃┏┓┗┛┣┫┳┻╋╸╹╺╻", 2)):
    shapes = [
        (0, 1, 0, 1), (1, 0, 1, 0), (0, 1, 1, 0), (0, 0, 1, 1), (1, 1, 0, 0), (1, 0, 0, 1),
        (1, 1, 1, 0), (1, 0, 1, 1), (0, 1, 1, 1), (1, 1, 0, 1), (1, 1, 1, 1),
        (0, 0, 0, 1), (1, 0, 0, 0), (0, 1, 0, 0), (0, 0, 1, 0),
    ]
    for c, s in zip(chars, shapes):
        BOX[c] = tuple(a * weight for a in s)  # type: ignore[assignment]
# Rounded corners: arms they connect (up, right, down, left).
ROUND = {"╭": (0, 1, 1, 0), "╮": (0, 0, 1, 1), "╯": (1, 0, 0, 1), "╰": (1, 1, 0, 0)}


def blend(a: Color, b: Color, t: float) -> Color:
    """``a`` mixed with ``b``; ``t`` = 0 gives ``a``, 1 gives ``b``."""
    return (
        round(a[0] + (b[0] - a[0]) * t),
        round(a[1] + (b[1] - a[1]) * t),
        round(a[2] + (b[2] - a[2]) * t),
    )


def _span(c: int, t: int) -> tuple[int, int]:
    """First and last pixel of a line ``t`` pixels thick centred on pixel ``c``."""
    return c - t // 2, c - t // 2 + t - 1


def draw_box(d: ImageDraw.ImageDraw, ch: str, x0: int, y0: int, w: int, h: int, fg: Color) -> bool:
    """Draw a box-drawing character as lines; return False if ``ch`` is not one we draw."""
    light = max(1, round(w / 10))
    heavy = max(light + 1, round(w / 4))
    mx, my = x0 + w // 2, y0 + h // 2
    if ch in BOX:
        up, right, down, left = BOX[ch]
        # Arms run from the cell edge to the far side of the centre square, which is as thick as
        # the heaviest arm, so that corners and junctions are closed.
        core = heavy if 2 in (up, right, down, left) else light
        cx0, cx1 = _span(mx, core)
        cy0, cy1 = _span(my, core)
        for arm, weight in zip("urdl", (up, right, down, left)):
            if not weight:
                continue
            t = heavy if weight == 2 else light
            ax0, ax1 = _span(mx, t)
            ay0, ay1 = _span(my, t)
            if arm == "u":
                d.rectangle([ax0, y0, ax1, cy1], fill=fg)
            elif arm == "d":
                d.rectangle([ax0, cy0, ax1, y0 + h - 1], fill=fg)
            elif arm == "l":
                d.rectangle([x0, ay0, cx1, ay1], fill=fg)
            else:
                d.rectangle([cx0, ay0, x0 + w - 1, ay1], fill=fg)
        return True
    if ch in ROUND:
        up, right, down, left = ROUND[ch]
        r = max(2, min(w, h) // 2 - 1)
        lx0, lx1 = _span(mx, light)
        ly0, ly1 = _span(my, light)
        # Quarter circle from the vertical line (x = lx0..lx1) to the horizontal one (y = ly0..ly1).
        ax = mx + r if right else mx - r
        ay = my + r if down else my - r
        start = {(0, 1, 1, 0): 180, (0, 0, 1, 1): 270, (1, 0, 0, 1): 0, (1, 1, 0, 0): 90}[ROUND[ch]]
        bbox = [ax - r - light // 2, ay - r - light // 2, ax + r + (light - light // 2) - 1, ay + r + (light - light // 2) - 1]
        d.arc(bbox, start, start + 90, fill=fg, width=light)
        if right:
            d.rectangle([ax, ly0, x0 + w - 1, ly1], fill=fg)
        if left:
            d.rectangle([x0, ly0, ax, ly1], fill=fg)
        if down:
            d.rectangle([lx0, ay, lx1, y0 + h - 1], fill=fg)
        if up:
            d.rectangle([lx0, y0, lx1, ay], fill=fg)
        return True
    return False


def draw_block(d: ImageDraw.ImageDraw, ch: str, x0: int, y0: int, w: int, h: int, fg: Color, bg: Color) -> bool:
    """Draw a block element (U+2580..U+259F) as rectangles; return False for other characters."""
    o = ord(ch)
    if not 0x2580 <= o <= 0x259F:
        return False
    x1, y1 = x0 + w, y0 + h

    def rect(ax: float, ay: float, bx: float, by: float, color: Color = fg) -> None:
        l, t = x0 + round(ax * w), y0 + round(ay * h)
        r, b = x0 + round(bx * w), y0 + round(by * h)
        if r > l and b > t:
            d.rectangle([l, t, r - 1, b - 1], fill=color)

    if o == 0x2580:
        rect(0, 0, 1, 0.5)
    elif 0x2581 <= o <= 0x2588:  # lower one eighth .. full block
        rect(0, 1 - (o - 0x2580) / 8, 1, 1)
    elif 0x2589 <= o <= 0x258F:  # left seven eighths .. left one eighth
        rect(0, 0, (0x2590 - o) / 8, 1)
    elif o == 0x2590:
        rect(0.5, 0, 1, 1)
    elif 0x2591 <= o <= 0x2593:  # light, medium, dark shade
        d.rectangle([x0, y0, x1 - 1, y1 - 1], fill=blend(bg, fg, (o - 0x2590) / 4))
    elif o == 0x2594:
        rect(0, 0, 1, 1 / 8)
    elif o == 0x2595:
        rect(7 / 8, 0, 1, 1)
    else:  # quadrants U+2596..U+259F: bits upper-left, upper-right, lower-left, lower-right
        quads = {
            0x2596: "0010", 0x2597: "0001", 0x2598: "1000", 0x2599: "1011", 0x259A: "1001",
            0x259B: "1110", 0x259C: "1101", 0x259D: "0100", 0x259E: "0110", 0x259F: "0111",
        }[o]
        for bit, (ax, ay) in zip(quads, ((0, 0), (0.5, 0), (0, 0.5), (0.5, 0.5))):
            if bit == "1":
                rect(ax, ay, ax + 0.5, ay + 0.5)
    return True


def render(grid: list[list[Cell]], fonts: Fonts, fg0: Color, bg0: Color, pad: int) -> Image.Image:
    """Draw ``grid`` to an RGB image with ``pad`` pixels of default background around it."""
    rows, cols = len(grid), len(grid[0]) if grid else 0
    cw, chh = fonts.cell_w, fonts.cell_h
    img = Image.new("RGB", (cols * cw + 2 * pad, rows * chh + 2 * pad), bg0)
    d = ImageDraw.Draw(img)
    for y, row in enumerate(grid):
        for x, cell in enumerate(row):
            if cell.ch == "":
                continue
            s = cell.style
            fg = s.fg if s.fg is not None else fg0
            bg = s.bg if s.bg is not None else bg0
            if s.reverse:
                fg, bg = bg, fg
            if s.dim:
                fg = blend(fg, bg, 0.45)
            if s.hidden:
                fg = bg
            wide = x + 1 < cols and row[x + 1].ch == ""
            px, py = pad + x * cw, pad + y * chh
            w = cw * (2 if wide else 1)
            if bg != bg0:
                d.rectangle([px, py, px + w - 1, py + chh - 1], fill=bg)
            ch = cell.ch
            if ch != " ":
                if not (draw_box(d, ch, px, py, cw, chh, fg) or draw_block(d, ch, px, py, cw, chh, fg, bg)):
                    font = fonts.pick(ch, s.bold)
                    # Centre glyphs that are wider or narrower than the cell (fallback faces).
                    adv = font.getlength(ch[0])
                    gx = px + (w - adv) / 2 if abs(adv - w) > 0.5 else px
                    d.text((gx, py + fonts.ascent), ch, font=font, fill=fg, anchor="ls")
            if s.underline:
                uy = py + fonts.ascent + max(1, chh // 12)
                d.line([px, uy, px + w - 1, uy], fill=fg, width=1)
            if s.strike:
                sy = py + chh // 2
                d.line([px, sy, px + w - 1, sy], fill=fg, width=1)
    return img


def parse_color(text: str) -> Color:
    """Parse ``#rrggbb``."""
    t = text.lstrip("#")
    if len(t) != 6:
        raise argparse.ArgumentTypeError(f"expected #rrggbb, got {text!r}")
    try:
        return (int(t[0:2], 16), int(t[2:4], 16), int(t[4:6], 16))
    except ValueError as e:
        raise argparse.ArgumentTypeError(f"expected #rrggbb, got {text!r}") from e


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Render an ANSI terminal capture to PNG.")
    ap.add_argument("input", help="capture file (tmux capture-pane -p -e), or - for stdin")
    ap.add_argument("output", help="PNG file to write")
    ap.add_argument("--cols", type=int, default=140, help="terminal width in cells (default 140)")
    ap.add_argument("--rows", type=int, default=36, help="terminal height in cells (default 36)")
    ap.add_argument("--font-size", type=int, default=16, help="font size in pixels (default 16)")
    ap.add_argument("--font", help="regular monospace font file (default DejaVuSansMono.ttf)")
    ap.add_argument("--bold-font", help="bold monospace font file (default DejaVuSansMono-Bold.ttf)")
    ap.add_argument("--fg", type=parse_color, default=DEFAULT_FG, help="default foreground #rrggbb")
    ap.add_argument("--bg", type=parse_color, default=DEFAULT_BG, help="default background #rrggbb")
    ap.add_argument("--padding", type=int, default=10, help="margin in pixels (default 10)")
    args = ap.parse_args(argv)
    if args.cols < 1 or args.rows < 1:
        ap.error("--cols and --rows must be positive")

    if args.input == "-":
        text = sys.stdin.buffer.read().decode("utf-8", errors="replace")
    else:
        text = Path(args.input).read_bytes().decode("utf-8", errors="replace")
    fonts = Fonts(args.font_size, args.font, args.bold_font)
    grid = parse(text, args.cols, args.rows)
    img = render(grid, fonts, args.fg, args.bg, args.padding)
    img.save(args.output, "PNG", optimize=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
