"""Answers are markdown rendered once to sanitised HTML: tables, highlighted code, safe links."""

from chat.rendering import markdown_to_html


def test_it_renders_tables_and_highlighted_code():
    html = markdown_to_html("| a | b |\n|---|--:|\n| 1 | 2 |\n\n```python\nprint('x')\n```")
    assert "<table>" in html and '<td style="text-align:right">2</td>' in html
    assert '<pre class="highlight"><code><span class="nb">print</span>' in html


def test_it_drops_scripts_and_dangerous_links():
    html = markdown_to_html("<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>")
    assert "<script" not in html and 'href="javascript' not in html and "<img" not in html


def test_it_makes_links_safe():
    html = markdown_to_html("[docs](https://example.com)")
    assert '<a href="https://example.com" rel="noopener noreferrer nofollow">docs</a>' in html
