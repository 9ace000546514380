"""The API documentation in Chromium: exhibitors lead, and reads show no padlock."""

from playwright.sync_api import expect


def test_api_docs_lead_with_exhibitors_and_lock_only_writes(page):
    page.goto("/api/docs/")
    sections = page.locator(".opblock-tag-section")
    expect(sections.first).to_be_visible()
    tags = page.locator(".opblock-tag").evaluate_all("tags => tags.map(t => t.dataset.tag)")
    assert tags[:2] == ["exhibitors", "expos"]
    first = sections.first
    expect(first.locator(".opblock-tag")).to_contain_text("Companies and organisations")
    reads = first.locator(".opblock-get")
    writes = first.locator(".opblock-post, .opblock-put, .opblock-patch, .opblock-delete")
    assert reads.count() == 2 and writes.count() == 4
    # Swagger UI's padlock is the summary's authorization button.
    assert reads.locator(".authorization__btn").count() == 0
    assert writes.locator(".authorization__btn").count() == 4


def test_api_docs_in_spanish_describe_the_sections_in_spanish(page):
    page.goto("/api/docs/?lang=es")
    first = page.locator(".opblock-tag").first
    expect(first).to_contain_text("Empresas y organizaciones que exponen")
    assert first.get_attribute("data-tag") == "exhibitors"
    assert page.locator(".opblock-get .authorization__btn").count() == 0
