#!/usr/bin/python3
"""Draw a terminal capture with ANSI colours (tmux capture-pane -e) as a PNG
with Debian's python3-pil and DejaVu Sans Mono: SGR codes 0, 1, 7, 22, 27,
30-37, 39, 40-47, 49, 90-97, 100-107, 38;5;N / 48;5;N and 38;2;R;G;B.

    /usr/bin/python3 editors/ansi2png.py PANE.ansi OUT.png
"""
import re
import sys

from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf"
BASE = [(0, 0, 0), (205, 49, 49), (13, 188, 121), (229, 229, 16), (36, 114, 200), (188, 63, 188),
        (17, 168, 205), (229, 229, 229), (102, 102, 102), (241, 76, 76), (35, 209, 139),
        (245, 245, 67), (59, 142, 234), (214, 112, 214), (41, 184, 219), (255, 255, 255)]
FG, BG = (220, 220, 220), (24, 24, 30)


def xterm(n):
    if n < 16:
        return BASE[n]
    if n < 232:
        n -= 16
        steps = [0, 95, 135, 175, 215, 255]
        return steps[n // 36], steps[(n // 6) % 6], steps[n % 6]
    v = 8 + (n - 232) * 10
    return v, v, v


def parse(text):
    """Lines of (char, fg, bg, bold)."""
    lines = []
    fg, bg, bold, rev = FG, BG, False, False
    for raw in text.split("\n"):
        cells = []
        for part in re.split(r"(\x1b\[[0-9;]*m)", raw):
            if part.startswith("\x1b["):
                codes = [int(c) if c else 0 for c in part[2:-1].split(";")]
                i = 0
                while i < len(codes):
                    c = codes[i]
                    if c == 0:
                        fg, bg, bold, rev = FG, BG, False, False
                    elif c == 1:
                        bold = True
                    elif c == 22:
                        bold = False
                    elif c == 7:
                        rev = True
                    elif c == 27:
                        rev = False
                    elif 30 <= c <= 37:
                        fg = BASE[c - 30]
                    elif 90 <= c <= 97:
                        fg = BASE[c - 90 + 8]
                    elif 40 <= c <= 47:
                        bg = BASE[c - 40]
                    elif 100 <= c <= 107:
                        bg = BASE[c - 100 + 8]
                    elif c == 39:
                        fg = FG
                    elif c == 49:
                        bg = BG
                    elif c in (38, 48) and i + 2 < len(codes) and codes[i + 1] == 5:
                        if c == 38:
                            fg = xterm(codes[i + 2])
                        else:
                            bg = xterm(codes[i + 2])
                        i += 2
                    elif c in (38, 48) and i + 4 < len(codes) and codes[i + 1] == 2:
                        rgb = tuple(codes[i + 2:i + 5])
                        if c == 38:
                            fg = rgb
                        else:
                            bg = rgb
                        i += 4
                    i += 1
            else:
                for ch in part:
                    f, b = (bg, fg) if rev else (fg, bg)
                    cells.append((ch, f, b, bold))
        lines.append(cells)
    while lines and not lines[-1]:
        lines.pop()
    return lines


def main():
    lines = parse(open(sys.argv[1], encoding="utf-8", errors="replace").read())
    font, bold = ImageFont.truetype(FONT, 15), ImageFont.truetype(BOLD, 15)
    w, h = 9, 19
    cols = max(len(line) for line in lines)
    img = Image.new("RGB", (cols * w + 16, len(lines) * h + 16), BG)
    d = ImageDraw.Draw(img)
    for y, line in enumerate(lines):
        for x, (ch, f, b, bo) in enumerate(line):
            px, py = 8 + x * w, 8 + y * h
            if b != BG:
                d.rectangle([px, py, px + w - 1, py + h - 1], fill=b)
            if ch != " ":
                d.text((px, py), ch, fill=f, font=bold if bo else font)
    img.save(sys.argv[2])


if __name__ == "__main__":
    main()
