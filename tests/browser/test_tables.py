"""Tables with long text stay readable at every width: no word is broken across lines.

A column of short values (a country, "not reported") beside a column of long text used to be
squeezed to a letter or two wide, so that "Belarus" read "Bela / rus". Each page with a table
is loaded at widths from a small phone to a wide desktop; in every visible cell, each word
(what lies between spaces, or after a hyphen) must sit on one line, and the table must fit
the column it is in.
"""

import pytest

EXPO = "/expos/smart-china-expo-2021/"
PAGES_WITH_TABLES = [
    EXPO,  # the exhibitor table with its long "Showcased" column
    "/expos/zhejiang-smart-city-exhibition-spain-2023/",
    "/es/expos/zhejiang-smart-city-exhibition-spain-2023/",  # Spanish words run longer
    "/exhibitors/",
    "/deals/",
    "/speakers/",
    "/es/deals/",
    "/",  # the home page's bar charts
    "/es/",
]
WIDTHS = [320, 390, 481, 600, 768, 1024, 1280, 1920]  # 481: the narrowest with table rows

# For every table of the page: the words drawn on more than one line, and whether the table
# is wider than the box that holds it.
BROKEN_WORDS = """
() => {
  const problems = [];
  const text = (el) => el.textContent.replace(/\\s+/g, " ").trim().slice(0, 60);
  for (const table of document.querySelectorAll("table")) {
    if (!table.getClientRects().length) continue;
    const box = table.getBoundingClientRect();
    const room = table.parentElement.getBoundingClientRect();
    if (box.right > room.right + 1 || box.left < room.left - 1) {
      problems.push(`table "${text(table)}" is ${box.width}px wide in ${room.width}px`);
    }
    for (const cell of table.querySelectorAll("th, td")) {
      if (!cell.getClientRects().length) continue;
      const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (node.parentElement.closest(".visually-hidden")) continue;
        for (const word of node.data.matchAll(/[^\\s-]+-?/g)) {
          const range = document.createRange();
          range.setStart(node, word.index);
          range.setEnd(node, word.index + word[0].length);
          const rects = [...range.getClientRects()].filter((r) => r.width > 0);
          const lines = rects.filter((r) => r.top >= rects[0].bottom - 1);
          if (lines.length) {
            problems.push(`"${word[0]}" is broken across ${lines.length + 1} lines`
              + ` in the ${cell.cellIndex + 1}. cell of "${text(cell.closest("tr"))}"`
              + ` (${Math.round(cell.getBoundingClientRect().width)}px wide)`);
          }
        }
      }
    }
  }
  return problems;
}
"""


@pytest.mark.parametrize("path", PAGES_WITH_TABLES)
def test_no_word_is_broken_in_a_table_cell(page, path):
    problems = {}
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        response = page.goto(path)
        assert response.status == 200
        assert page.locator("table").count() > 0, f"{path} has no table any more"
        found = page.evaluate(BROKEN_WORDS)
        if found:
            problems[width] = found
    assert problems == {}


def test_expo_exhibitor_table_screenshot(page, screenshots_dir):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(EXPO)
    page.screenshot(path=screenshots_dir / "expo-exhibitors-1280.png", full_page=True)
    row = page.locator("table.results tbody tr", has_text="China-Belarus")
    assert row.locator("td").first.inner_text() == "Belarus · Minsk"
    assert page.evaluate(BROKEN_WORDS) == []
