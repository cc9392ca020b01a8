"""Checks of a rewind-dump --timeline page loaded in headless Chromium
(headless_page.load): shared by the timeline tests."""
import colorsys
import re

import headless_page


def lanes_of(dom):
    """[(kind name, count, top, left, width, height, number)] of the page's lanes, in page order."""
    out = []
    for m in re.finditer(r'<div class="row lane"([^>]*)>', dom):
        a = dict(re.findall(r'data-([a-z]+)="([^"]*)"', m.group(1)))
        try:
            out.append((a["kind"], int(a["count"]), int(a["top"]), int(a["left"]), int(a["width"]), int(a["height"]),
                        int(a["number"])))
        except (KeyError, ValueError):
            out.append((a.get("kind"), None, None, None, None, None, None))
    return out


def drawn_in_band(png, lane):
    """(pixels that are not white in the lane's band, the fraction of them of the lane's hue)."""
    w, h, bpp, rows = headless_page.png_pixels(png)
    _, _, top, left, width, height, number = lane
    want = (number * 137.508) % 360
    drawn = hue_ok = 0
    for y in range(max(0, top), min(h, top + height)):
        row = rows[y]
        for x in range(max(0, left), min(w, left + width)):
            r, g, b = row[x * bpp], row[x * bpp + 1], row[x * bpp + 2]
            if min(r, g, b) > 235:
                continue
            drawn += 1
            hue, _, sat = colorsys.rgb_to_hls(r / 255, g / 255, b / 255)
            d = abs(hue * 360 - want) % 360
            hue_ok += sat > 0.2 and min(d, 360 - d) < 25
    return drawn, (hue_ok / drawn if drawn else 0)


def page_problems(page, expect_counts):
    """What is wrong with a loaded page (empty: nothing): it must have loaded
    without script errors, with one lane per kind of `expect_counts`
    ({kind: count}, as --stats gives them), in registry order, each with its
    count, and something of the lane's colour drawn in each lane's band."""
    problems = []
    if 'id="timeline-ready"' not in page.dom:
        problems.append("the script did not finish (no #timeline-ready)")
    error = re.search(r'<div id="timeline-error">([^<]*)', page.dom)
    if error:
        problems.append("script error: " + error.group(1))
    errors = [c for c in page.console if "rror" in c or "Uncaught" in c]
    if errors:
        problems.append(f"console: {errors}")
    lanes = lanes_of(page.dom)
    got = {lane[0]: lane[1] for lane in lanes}
    if got != expect_counts or len(lanes) != len(expect_counts):
        problems.append(f"lanes {got} != --stats {expect_counts}")
    if [lane[6] for lane in lanes] != sorted(lane[6] or 0 for lane in lanes):
        problems.append("lanes are not in registry order")
    if not page.png:
        problems.append("no screenshot")
    else:
        bottom = 0
        for lane in lanes:
            if lane[2] is None or lane[2] < bottom:
                problems.append(f"lane {lane[0]}: no position, or overlaps the one above")
                continue
            bottom = lane[2] + lane[5]
            drawn, hue_fraction = drawn_in_band(page.png, lane)
            if drawn < 10 or hue_fraction < 0.5:
                problems.append(f"lane {lane[0]}: {drawn} pixels drawn in its band, {hue_fraction:.0%} in its colour")
    return problems
