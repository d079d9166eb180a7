"""Synthetic number plates: European formats (and the UK), plus generic North and South
American layouts so that the reader does not learn one alphabet layout only.

`render_plate(rng)` returns an RGBA plate image at a random resolution and the label (the
characters a reader must output: letters and digits only, as the exchange schema stores
plates). Everything here is deterministic given the `random.Random` passed in.
"""

from __future__ import annotations

import os
import random
import string
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFilter, ImageFont

LETTERS = string.ascii_uppercase
DIGITS = string.digits
ALNUM = LETTERS + DIGITS

# Plate-like faces from Debian's font packages (fonts-dejavu-core, fonts-liberation2,
# fonts-urw-base35, fonts-roboto-unhinted, fonts-freefont-ttf, fonts-noto-core). The
# pipeline uses whichever of them are installed; `train.sh` installs them.
FONT_CANDIDATES = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed-Bold.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/opentype/urw-base35/NimbusSansNarrow-Bold.otf",
    "/usr/share/fonts/opentype/urw-base35/NimbusSans-Bold.otf",
    "/usr/share/fonts/opentype/urw-base35/NimbusMonoPS-Bold.otf",
    "/usr/share/fonts/truetype/roboto/unhinted/RobotoCondensed-Bold.ttf",
    "/usr/share/fonts/truetype/roboto/unhinted/RobotoCondensed-Regular.ttf",
    "/usr/share/fonts/truetype/roboto/unhinted/RobotoTTF/Roboto-Bold.ttf",
    "/usr/share/fonts/truetype/liberation2/LiberationSans-Bold.ttf",
    "/usr/share/fonts/truetype/liberation2/LiberationMono-Bold.ttf",
    "/usr/share/fonts/truetype/freefont/FreeSansBold.ttf",
    "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf",
    "/usr/share/fonts/truetype/noto/NotoSansDisplay-Bold.ttf",
]
# Serif faces appear only in the small banner texts of American plates.
BANNER_FONTS = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSerifCondensed-Bold.ttf",
    "/usr/share/fonts/truetype/liberation2/LiberationSerif-Bold.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
]


def available(paths: list[str]) -> list[str]:
    found = [p for p in paths if os.path.exists(p)]
    if not found:
        raise SystemExit("no plate fonts installed: run crates/vision/train/train.sh (it installs them)")
    return found


FONTS = available(FONT_CANDIDATES)
BANNERS = available(BANNER_FONTS + FONT_CANDIDATES[:1])
_font_cache: dict[tuple[str, int], ImageFont.FreeTypeFont] = {}


def font(path: str, size: int) -> ImageFont.FreeTypeFont:
    key = (path, size)
    if key not in _font_cache:
        _font_cache[key] = ImageFont.truetype(path, size)
    return _font_cache[key]


def pick(rng: random.Random, chars: str, n: int) -> str:
    return "".join(rng.choice(chars) for _ in range(n))


# Each format yields groups of characters; the plate shows them with separators, the label
# joins them. Letters that a country never issues are not modelled: the reader must read
# what is painted, and rare letters keep it honest.
def fmt_gb(r):
    return [pick(r, LETTERS, 2) + pick(r, DIGITS, 2), pick(r, LETTERS, 3)]


def fmt_de(r):
    return [pick(r, LETTERS, r.randint(1, 3)), pick(r, LETTERS, r.randint(1, 2)), pick(r, DIGITS, r.randint(1, 4))]


def fmt_fr(r):
    return [pick(r, LETTERS, 2), pick(r, DIGITS, 3), pick(r, LETTERS, 2)]


def fmt_be(r):
    return [pick(r, "12", 1), pick(r, LETTERS, 3), pick(r, DIGITS, 3)]


def fmt_nl(r):
    shapes = [(2, 3, 1), (1, 3, 2), (2, 2, 2), (3, 2, 1)]
    a, b, c = r.choice(shapes)
    kinds = r.choice([(DIGITS, LETTERS, DIGITS), (LETTERS, DIGITS, LETTERS), (DIGITS, LETTERS, LETTERS)])
    return [pick(r, kinds[0], a), pick(r, kinds[1], b), pick(r, kinds[2], c)]


def fmt_pl(r):
    return [pick(r, LETTERS, r.randint(2, 3)), pick(r, DIGITS, r.randint(3, 4)) + pick(r, ALNUM, 1)]


def fmt_it(r):
    return [pick(r, LETTERS, 2), pick(r, DIGITS, 3) + pick(r, LETTERS, 2)]


def fmt_es(r):
    return [pick(r, DIGITS, 4), pick(r, "BCDFGHJKLMNPRSTVWXYZ", 3)]


def fmt_cz(r):
    return [pick(r, DIGITS, 1) + pick(r, LETTERS, 1) + pick(r, ALNUM, 1), pick(r, DIGITS, 4)]


def fmt_sk(r):
    return [pick(r, LETTERS, 2), pick(r, DIGITS, 3) + pick(r, LETTERS, 2)]


def fmt_ro(r):
    return [pick(r, LETTERS, r.randint(1, 2)), pick(r, DIGITS, r.randint(2, 3)), pick(r, LETTERS, 3)]


def fmt_bg(r):
    return [pick(r, LETTERS, r.randint(1, 2)), pick(r, DIGITS, 4), pick(r, LETTERS, 2)]


def fmt_lt(r):
    return [pick(r, LETTERS, 3), pick(r, DIGITS, 3)]


def fmt_ie(r):
    return [pick(r, DIGITS, 2) + r.choice(["1", "2", ""]), pick(r, LETTERS, r.randint(1, 2)), pick(r, DIGITS, r.randint(1, 6))]


def fmt_us(r):
    n = r.randint(5, 8)
    style = r.random()
    if style < 0.35:
        text = pick(r, LETTERS, 3) + pick(r, DIGITS, n - 3)
    elif style < 0.55:
        text = pick(r, DIGITS, 1) + pick(r, LETTERS, 3) + pick(r, DIGITS, max(1, n - 4))
    else:
        text = pick(r, ALNUM, n)
    if r.random() < 0.4:
        cut = r.randint(2, len(text) - 2)
        return [text[:cut], text[cut:]]
    return [text]


def fmt_br(r):
    if r.random() < 0.6:
        return [pick(r, LETTERS, 3), pick(r, DIGITS, 4)]
    return [pick(r, LETTERS, 3) + pick(r, DIGITS, 1) + pick(r, LETTERS, 1) + pick(r, DIGITS, 2)]


def fmt_random(r):
    return [pick(r, ALNUM, r.randint(4, 8))]


@dataclass
class Style:
    name: str
    groups: object
    code: str  # letters in the EU band, "" for none
    bg: tuple
    fg: tuple
    band: str  # "eu", "eu2" (both sides), "gb", "none", "us", "br", "mercosur"
    weight: float


WHITE = (245, 245, 242)
YELLOW = (250, 204, 20)
BLACK = (20, 20, 20)
STYLES = [
    Style("gb-front", fmt_gb, "UK", WHITE, BLACK, "gb", 1.0),
    Style("gb-rear", fmt_gb, "UK", YELLOW, BLACK, "gb", 1.0),
    Style("de", fmt_de, "D", WHITE, BLACK, "eu", 1.0),
    Style("fr", fmt_fr, "F", WHITE, BLACK, "eu2", 1.0),
    Style("be", fmt_be, "B", WHITE, (170, 20, 30), "eu", 0.7),
    Style("nl", fmt_nl, "NL", YELLOW, BLACK, "eu", 0.8),
    Style("pl", fmt_pl, "PL", WHITE, BLACK, "eu", 0.7),
    Style("it", fmt_it, "I", WHITE, BLACK, "eu2", 0.7),
    Style("es", fmt_es, "E", WHITE, BLACK, "eu", 0.7),
    Style("cz", fmt_cz, "CZ", WHITE, BLACK, "eu", 0.5),
    Style("sk", fmt_sk, "SK", WHITE, BLACK, "eu", 0.5),
    Style("ro", fmt_ro, "RO", WHITE, BLACK, "eu", 0.5),
    Style("bg", fmt_bg, "BG", WHITE, BLACK, "eu", 0.5),
    Style("lt", fmt_lt, "LT", WHITE, BLACK, "eu", 0.5),
    Style("ie", fmt_ie, "IRL", WHITE, BLACK, "eu", 0.5),
    Style("us", fmt_us, "", WHITE, BLACK, "us", 2.0),
    Style("br-grey", fmt_br, "", (190, 190, 185), BLACK, "br", 1.0),
    Style("br-mercosur", fmt_br, "", WHITE, BLACK, "mercosur", 0.5),
    Style("generic", fmt_random, "", WHITE, BLACK, "none", 1.0),
]
_weights = [s.weight for s in STYLES]


def jitter_colour(rng: random.Random, c: tuple, amount: int = 18) -> tuple:
    return tuple(max(0, min(255, v + rng.randint(-amount, amount))) for v in c)


def us_colours(rng: random.Random) -> tuple[tuple, tuple]:
    bg = rng.choice([WHITE, WHITE, WHITE, (235, 235, 200), (210, 225, 240), (250, 240, 210), (200, 220, 200), YELLOW])
    fg = rng.choice([BLACK, (20, 40, 120), (20, 40, 120), (140, 20, 20), (20, 90, 40), (60, 60, 60)])
    return bg, fg


def text_width(f: ImageFont.FreeTypeFont, s: str) -> int:
    box = f.getbbox(s)
    return box[2] - box[0]


def draw_line(img: Image.Image, groups: list[str], box: tuple, fg: tuple, rng: random.Random,
              face: str, sep: str) -> None:
    """Draws groups of characters centred in box (x0, y0, x1, y1), squeezed to fit."""
    x0, y0, x1, y1 = box
    h = y1 - y0
    w = x1 - x0
    text = sep.join(groups)
    size = max(8, int(h * rng.uniform(0.95, 1.2)))
    f = font(face, size)
    bbox = f.getbbox(text)
    tw, th = bbox[2] - bbox[0], bbox[3] - bbox[1]
    layer = Image.new("L", (tw + 4, th + 4), 0)
    ImageDraw.Draw(layer).text((2 - bbox[0], 2 - bbox[1]), text, font=f, fill=255)
    # Plate faces are condensed: squeeze the text to fit the box width and height.
    target_h = int(h * rng.uniform(0.78, 0.95))
    target_w = min(int(w * rng.uniform(0.82, 0.97)), int(tw * target_h / max(th, 1) * rng.uniform(0.8, 1.15)))
    layer = layer.resize((max(4, target_w), max(4, target_h)), Image.BILINEAR)
    ox = x0 + (w - layer.width) // 2 + rng.randint(-2, 2)
    oy = y0 + (h - layer.height) // 2 + rng.randint(-1, 1)
    colour = Image.new("RGB", layer.size, fg)
    img.paste(colour, (ox, oy), layer)


def render_plate(rng: random.Random, only: tuple[str, ...] = ()) -> tuple[Image.Image, str, str, list[str]]:
    """Returns (RGBA plate image, label, style name, the label of each text line); `only`
    restricts the styles (by name)."""
    if only:
        style = rng.choice([s for s in STYLES if s.name in only])
    else:
        style = rng.choices(STYLES, _weights)[0]
    groups = style.groups(rng)
    label = "".join(groups)
    two_line = style.band in ("eu", "gb", "us", "none", "mercosur") and rng.random() < 0.18
    height = rng.randint(36, 96)
    if two_line:
        width = int(height * rng.uniform(1.3, 1.6))
    elif style.band in ("us",):
        width = int(height * rng.uniform(1.9, 2.1))
    elif style.band in ("br",):
        width = int(height * rng.uniform(2.8, 3.2))
    elif style.band == "none":
        width = int(height * rng.uniform(2.0, 4.8))
    else:
        width = int(height * rng.uniform(4.0, 4.8))
    bg, fg = style.bg, style.fg
    if style.band == "us":
        bg, fg = us_colours(rng)
    bg = jitter_colour(rng, bg)
    fg = jitter_colour(rng, fg, 12)
    img = Image.new("RGB", (width, height), bg)
    d = ImageDraw.Draw(img)
    left, right, top, bottom = int(width * 0.03), width - int(width * 0.03), int(height * 0.1), height - int(height * 0.1)
    if style.band in ("eu", "eu2", "gb") and style.code and rng.random() < 0.9:
        bw = int(height * (0.42 if not two_line else 0.3))
        blue = jitter_colour(rng, (0, 51, 153), 20)
        d.rectangle([0, 0, bw, height], fill=blue)
        if style.band == "gb":
            blue = jitter_colour(rng, (0, 80, 40), 20) if rng.random() < 0.3 else blue
            d.rectangle([0, 0, bw, height], fill=blue)
        cf = font(rng.choice(FONTS), max(8, int(bw * 0.55 if len(style.code) < 3 else bw * 0.4)))
        cw = text_width(cf, style.code)
        d.text(((bw - cw) // 2, int(height * 0.62)), style.code, font=cf, fill=(240, 240, 240))
        for i in range(12):  # the ring of stars, as dots
            import math
            a = 2 * math.pi * i / 12
            cx, cy, rr = bw / 2, height * 0.32, bw * 0.26
            px, py = cx + rr * math.cos(a), cy + rr * math.sin(a)
            d.ellipse([px - 1.5, py - 1.5, px + 1.5, py + 1.5], fill=(250, 210, 0))
        left = bw + int(width * 0.02)
        if style.band == "eu2":
            d.rectangle([width - bw, 0, width, height], fill=blue)
            rf = font(rng.choice(FONTS), max(8, int(bw * 0.45)))
            d.text((width - bw + 3, int(height * 0.6)), pick(rng, DIGITS, 2), font=rf, fill=(240, 240, 240))
            right = width - bw - int(width * 0.02)
    elif style.band == "us":
        bf = font(rng.choice(BANNERS), max(8, int(height * rng.uniform(0.13, 0.2))))
        banner = rng.choice(["CALIFORNIA", "TEXAS", "New York", "FLORIDA", "Ohio", "ILLINOIS", "Georgia",
                             "ARIZONA", "Virginia", "Sunshine State", "Land of Lincoln", "MICHIGAN",
                             "Pennsylvania", "NEW JERSEY", "Colorado", "Empire State", "DMV.CA.GOV"])
        bcol = jitter_colour(rng, rng.choice([(150, 20, 20), (20, 40, 120), (20, 20, 20), (20, 90, 40)]))
        d.text(((width - text_width(bf, banner)) // 2, int(height * 0.03)), banner, font=bf, fill=bcol)
        if rng.random() < 0.6:
            sf = font(rng.choice(BANNERS), max(7, int(height * 0.11)))
            slogan = rng.choice(["America's Dairyland", "Great Lakes", "Lone Star State", "The Garden State",
                                 "FIRST IN FLIGHT", "Famous Potatoes", "JAN 2026", "Grand Canyon State"])
            d.text(((width - text_width(sf, slogan)) // 2, int(height * 0.84)), slogan, font=sf, fill=bcol)
        if rng.random() < 0.5:  # stickers in the corners
            sc = jitter_colour(rng, rng.choice([(200, 40, 40), (40, 140, 60), (230, 200, 40)]), 30)
            sx = rng.choice([int(width * 0.04), int(width * 0.8)])
            d.rectangle([sx, int(height * 0.05), sx + int(width * 0.14), int(height * 0.22)], fill=sc)
        top, bottom = int(height * 0.24), int(height * 0.82)
        left, right = int(width * 0.05), int(width * 0.95)
    elif style.band == "br":
        bf = font(rng.choice(FONTS), max(8, int(height * 0.2)))
        town = rng.choice(["SAO PAULO - SP", "CURITIBA - PR", "BELO HORIZONTE - MG", "RIO DE JANEIRO - RJ",
                           "PORTO ALEGRE - RS", "CAMPINAS - SP", "SALVADOR - BA"])
        d.text(((width - text_width(bf, town)) // 2, int(height * 0.02)), town, font=bf, fill=fg)
        top, bottom = int(height * 0.3), int(height * 0.94)
    elif style.band == "mercosur":
        d.rectangle([0, 0, width, int(height * 0.2)], fill=jitter_colour(rng, (0, 50, 160), 15))
        bf = font(rng.choice(FONTS), max(8, int(height * 0.14)))
        d.text((int(width * 0.35), int(height * 0.02)), "BRASIL", font=bf, fill=(240, 240, 240))
        top, bottom = int(height * 0.26), int(height * 0.95)
    face = rng.choice(FONTS)
    sep = rng.choice([" ", " ", "-", "", "·"]) if style.band != "gb" else " "
    if two_line:
        if len(groups) == 1:
            g = groups[0]
            cut = max(1, len(g) // 2)
            lines = [[g[:cut]], [g[cut:]]]
        else:
            cut = max(1, len(groups) // 2)
            lines = [groups[:cut], groups[cut:]]
        line_labels = ["".join(lines[0]), "".join(lines[1])]
        mid = (top + bottom) // 2
        draw_line(img, lines[0], (left, top, right, mid - 2), fg, rng, face, sep)
        draw_line(img, lines[1], (left, mid + 2, right, bottom), fg, rng, face, sep)
    else:
        line_labels = [label]
        draw_line(img, groups, (left, top, right, bottom), fg, rng, face, sep)
    if rng.random() < 0.85:  # border
        bw = max(1, int(height * 0.03))
        border = fg if rng.random() < 0.7 else jitter_colour(rng, (90, 90, 90))
        d.rectangle([0, 0, width - 1, height - 1], outline=border, width=bw)
    if rng.random() < 0.3:  # screws
        for sx in (int(width * 0.2), int(width * 0.8)):
            d.ellipse([sx - 3, height * 0.08, sx + 3, height * 0.08 + 6], fill=(150, 150, 150))
    if rng.random() < 0.3:
        img = img.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 1.0)))
    rgba = img.convert("RGBA")
    return rgba, label, style.name, line_labels


if __name__ == "__main__":
    import sys

    out = sys.argv[1] if len(sys.argv) > 1 else "/tmp/synth-samples"
    os.makedirs(out, exist_ok=True)
    r = random.Random(1)
    for i in range(24):
        im, lab, name, _ = render_plate(r)
        im.convert("RGB").save(f"{out}/{i:02d}-{name}-{lab}.png")
    print("wrote", out)
