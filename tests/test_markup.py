"""Only prose is restored: URLs, e-mail addresses, HTML markup and Markdown code stay byte for byte."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import pytest
from click.testing import CliRunner
from helpers import CLEAN_FILES, DATA, SPUN_SEEDS, read_seed
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import respin
from respin.cli import main
from respin.markup import markup_for, prose_view, protected_spans
from respin.metrics import word_errors, words
from respin.render import apply_fixes
from respin.tokens import tokenize

MARKUP = DATA / "markup"
SPUN_URL = "https://example.com/world/mentioned/safety?q=management"


@pytest.fixture(scope="module")
def spun_config(mini_config):
    """The mini table, with the text taken as spun: every listed word is a candidate that wins."""
    return mini_config.with_(spin_prior=0.0)


def assert_outside_fixes_unchanged(source: str, result, markup: str = "text") -> None:
    """The fixes replay to the output, and no fix touches a protected character."""
    assert apply_fixes(source, result.fixes) == result.text
    spans = protected_spans(source, markup)
    for fix in result.fixes:
        assert source[fix.start : fix.end] == fix.before
        assert not any(start < fix.end and fix.start < end for start, end in spans), fix


# --- URLs and e-mail addresses ----------------------------------------------------------------

ADDRESSES = [
    SPUN_URL,
    "http://example.com/mentioned",
    "www.example.org/mentioned/safety",
    "WWW.example.org",
    "example.com/world/mentioned/safety?q=management&safety=1",
    "news.example.co.uk/officers",
    "officers.safety.com",
    "ftp://files.example.net/safety/mentioned.txt",
    "mailto:officers@example.com",
    "officers.mentioned@example.com",
    "safety+management@mail.example.org",
    "https://en.example.org/wiki/Safety_(mentioned)",
]


@pytest.mark.parametrize("address", ADDRESSES)
@pytest.mark.parametrize("around", ["{} ", "({})", "<{}>", "“{}”", "{}.", "see: {}, then", "{}\n"])
def test_urls_and_email_addresses_survive_in_text(spun_config, address, around):
    text = f"The officers mentioned the safety of {around.format(address)} and mentioned it again."
    result = respin.fix(text, config=spun_config)
    assert address in result.text
    assert "said" in result.text  # the prose around the address is still restored
    assert_outside_fixes_unchanged(text, result)


@pytest.mark.parametrize("markup", ["text", "html", "markdown"])
def test_url_and_email_in_every_format(spun_config, markup):
    text = f"The officers mentioned {SPUN_URL} and wrote to safety.officers@example.com about safety."
    result = respin.fix(text, config=spun_config.with_(markup=markup))
    assert SPUN_URL in result.text and "safety.officers@example.com" in result.text
    assert result.text.startswith("The officers said ")


def test_addresses_do_not_count_as_words(spun_config):
    assert respin.fix("mentioned " + SPUN_URL, config=spun_config).words == 1
    assert respin.fix("mentioned www.a.org/b/c/d/e x@y.com", config=spun_config).words == 1


@pytest.mark.parametrize("text", ["U.S. officials said.It rained", "e.g. 3.5 i.e. Mr. Li", "a@b and @handle",
                                  "went.to the", "items/safety and/or more"])
def test_ordinary_prose_is_not_taken_for_an_address(text):
    assert protected_spans(text) == []


def test_address_spans_are_exact():
    text = "Read (https://x.org/a_(b)) and https://x.org/c). Or x.org/y."
    assert [text[a:b] for a, b in protected_spans(text)] == ["https://x.org/a_(b)", "https://x.org/c", "x.org/y"]


# --- choosing the markup ----------------------------------------------------------------------

def test_markup_follows_the_extension():
    assert markup_for("a/b/page.htm") == "html"
    assert markup_for("README.markdown") == "markdown"
    assert markup_for("notes.txt") == "text"
    assert markup_for(None) == "text"
    assert markup_for("page.html", "text") == "text"
    with pytest.raises(ValueError):
        markup_for("x", "latex")


def test_the_view_keeps_every_offset():
    for name, markup in (("article.spun.html", "html"), ("article.spun.md", "markdown")):
        text = (MARKUP / name).read_text(encoding="utf-8")
        view = prose_view(text, markup)
        assert len(view) == len(text)


# --- HTML ---------------------------------------------------------------------------------------

class _Skeleton(HTMLParser):
    """Everything of a page but the text outside code: tags with attributes, comments, entities, code."""

    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.parts = []
        self.code = 0

    def handle_starttag(self, tag, attrs):
        self.parts.append(self.get_starttag_text())
        self.code += tag in ("script", "style", "pre", "code")

    def handle_startendtag(self, tag, attrs):
        self.parts.append(self.get_starttag_text())

    def handle_endtag(self, tag):
        self.parts.append(f"</{tag}>")
        self.code = max(0, self.code - (tag in ("script", "style", "pre", "code")))  # a stray end tag opens nothing

    def handle_data(self, data):
        if self.code:
            self.parts.append(data)

    def handle_entityref(self, name):
        self.parts.append(f"&{name};")

    def handle_charref(self, name):
        self.parts.append(f"&#{name};")

    def handle_comment(self, data):
        self.parts.append(f"<!--{data}-->")

    def handle_decl(self, decl):
        self.parts.append(decl)


def skeleton(page: str) -> list[str]:
    parser = _Skeleton()
    parser.feed(page)
    parser.close()
    return parser.parts


class _ArticleText(HTMLParser):
    """The article's headline and paragraphs as plain text: what a scraper would extract."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.paragraphs = []
        self.depth = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("h1", "p") and self.depth == 0:
            self.paragraphs.append("")
            self.depth = 1
        elif self.depth:
            self.depth += tag not in ("br", "img")

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.paragraphs[-1] += data


def article_text(page: str) -> str:
    parser = _ArticleText()
    parser.feed(page)
    parser.close()
    return "\n\n".join(p for p in parser.paragraphs if "Courier" not in p) + "\n"


@pytest.fixture(scope="module")
def page():
    return (MARKUP / "article.spun.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def restored_page(page):
    return respin.fix(page, config=respin.Config(markup="html"))


def test_html_markup_is_byte_identical(page, restored_page):
    assert skeleton(restored_page.text) == skeleton(page)
    assert_outside_fixes_unchanged(page, restored_page, "html")
    for kept in (SPUN_URL + "&amp;ref=mentioned", "var safety = \"mentioned\"", "<!-- nav: officers mentioned",
                 "officers mentioned\nthe safety of the grid", 'alt="The officers mentioned safety"',
                 "40,000&nbsp;", "&ldquo;", "news-desk@example.com", "www.example.org/mentioned/safety",
                 "tips.mentioned@example.com"):
        assert kept in restored_page.text


def test_html_prose_is_restored_as_well_as_its_plain_text(page, restored_page):
    original = (MARKUP / "article.orig.txt").read_text(encoding="utf-8")
    plain = article_text(page)
    from_plain = respin.fix(plain).text
    from_html = article_text(restored_page.text)
    errors_plain = word_errors(words(original), words(from_plain))
    errors_html = word_errors(words(original), words(from_html))
    assert errors_html <= errors_plain < word_errors(words(original), words(plain)) // 2
    # the title, the headline, a link's text, emphasis and the caption are prose too
    assert "<title>Marrow Falls Officials Say Wind Farm Will Power" in restored_page.text
    assert ">said</a> on Tuesday" in restored_page.text
    assert "<em>wind turbines</em>" in restored_page.text
    assert "<strong>said</strong>" in restored_page.text
    assert ">The Associated Press</a>" in restored_page.text


def test_html_words_count_only_prose(page, restored_page):
    assert restored_page.words == len(words(prose_view(page, "html")))
    assert restored_page.words < len(words(page)) * 0.6


def test_html_entities_are_never_split():
    page = "<p>The officers mentioned caf&eacute; safety&nbsp;mentioned AT&amp;T&rsquo;s mentioned.</p>"
    result = respin.fix(page, config=respin.Config(markup="html", spin_prior=0.0))
    assert result.text == "<p>The officers said caf&eacute; safety&nbsp;said AT&amp;T&rsquo;s said.</p>"
    assert_outside_fixes_unchanged(page, result, "html")


def test_a_phrase_does_not_span_a_tag(spun_config):
    page = "<p>An information <em>convention</em> was held. An information convention was held.</p>"
    result = respin.fix(page, config=spun_config.with_(markup="html"))
    assert result.text == "<p>An information <em>convention</em> was held. A news conference was held.</p>"


def test_block_tags_end_sentences():
    view = prose_view("<ul><li>one</li><li>two</li></ul>", "html")
    assert tokenize(view)[0].sentence != tokenize(view)[1].sentence


def test_broken_html_still_keeps_its_markup(spun_config):
    for page in ("<p>officers mentioned <a href='x", "<p>mentioned</p><!-- safety", "mentioned < safety > x",
                 "<p>safety</div></span>mentioned", "<scr<script>safety</script>"):
        result = respin.fix(page, config=spun_config.with_(markup="html"))
        assert_outside_fixes_unchanged(page, result, "html")
        assert skeleton(result.text) == skeleton(page)


# --- Markdown -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def markdown():
    return (MARKUP / "article.spun.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def restored_markdown(markdown):
    return respin.fix(markdown, config=respin.Config(markup="markdown"))


def test_markdown_code_and_link_targets_are_byte_identical(markdown, restored_markdown):
    assert_outside_fixes_unchanged(markdown, restored_markdown, "markdown")
    text = restored_markdown.text
    for kept in ("---\ntitle: Officers mentioned safety\ntags: [safety, management]\n---",
                 f'({SPUN_URL} "officers mentioned")', "(/img/mentioned-safety.jpg)",
                 "```text\nofficers mentioned\nthe safety of the grid\n```", "`software program`",
                 "[owners]: /groups/mentioned-safety \"safety\"", "<news-desk@example.com>",
                 "www.example.org/mentioned/safety", "<https://example.com/mentioned>",
                 "    officers mentioned (indented code)"):
        assert kept in text


def markdown_text(document: str) -> str:
    """The prose of a Markdown document as plain text, paragraph by paragraph, without code."""
    from markdown_it import MarkdownIt

    if document.startswith("---\n"):  # front matter is not prose
        document = document[document.index("\n---\n", 3) + 5 :]
    paragraphs = []
    for token in MarkdownIt("commonmark").parse(document):
        if token.type == "inline" and token.children:  # code is not prose either
            paragraphs.append("".join(child.content if child.type == "text" else
                                      "\n" if child.type == "softbreak" else "" for child in token.children))
    return "\n\n".join(paragraphs) + "\n"


def test_markdown_prose_is_restored_as_well_as_its_plain_text(markdown, restored_markdown):
    text = restored_markdown.text
    assert "# Marrow Falls Officials Say Wind Farm Will Power 40,000 Houses" in text
    assert "[said](https://" in text  # a link's text is prose
    assert "*wind turbines*" in text and "[The Associated Press](https://" in text
    assert "> In other words, the city still has work to do, the mayor said, but the bottom line" in text
    original = (MARKUP / "article.orig.txt").read_text(encoding="utf-8")
    plain = markdown_text(markdown)
    errors_plain = word_errors(words(original), words(respin.fix(plain).text))
    errors_markdown = word_errors(words(original), words(markdown_text(text)))
    assert errors_markdown <= errors_plain < word_errors(words(original), words(plain)) // 2


def test_markdown_inline_code_and_reference_labels(spun_config):
    text = "He mentioned ``safety ` mentioned`` and [mentioned][mentioned] and [Mentioned].\n\n[mentioned]: /x\n"
    result = respin.fix(text, config=spun_config.with_(markup="markdown"))
    assert result.text == "He said ``safety ` mentioned`` and [said][mentioned] and [Mentioned].\n\n[mentioned]: /x\n"


# --- properties in every format -------------------------------------------------------------------

PROSE = ["officers", "mentioned", "safety", "the", "an", "information", "convention", "however", "said", "It",
         ". ", ", ", " ", "\n", "\n\n"]
PIECES = {
    "text": PROSE + [SPUN_URL, "www.safety.org/mentioned", "officers@safety.com", "(x.com/safety)"],
    "html": PROSE + ["<p>", "</p>", "<em>", "</em>", '<a href="/mentioned/safety">', "</a>", "&amp;", "&nbsp;",
                     "<!-- safety -->", "<script>var safety;</script>", "<pre>mentioned</pre>", "<br>",
                     "<li>", "&rsquo;", SPUN_URL, "<", ">", "&"],
    "markdown": PROSE + ["`safety`", "[mentioned](/safety/mentioned)", "*", "_", "# ", "> ", "- ",
                         "\n```\nmentioned safety\n```\n", "\n    safety code\n", "<b>", "&amp;", "\\", "[",
                         "]", "(", ")", SPUN_URL, "[x]: /mentioned\n"],
}


@pytest.mark.parametrize("markup", ["text", "html", "markdown"])
@settings(max_examples=150, deadline=None, derandomize=True,  # the same examples in every run: CI stays reproducible
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_properties_in_every_format(spun_config, markup, data):
    text = "".join(data.draw(st.lists(st.sampled_from(PIECES[markup]), max_size=60)))
    config = spun_config.with_(markup=markup)
    result = respin.fix(text, config=config)
    assert_outside_fixes_unchanged(text, result, markup)
    # the JSON fixes replay to the output
    payload = json.loads(json.dumps(result.to_dict()))
    replayed = text
    for fix in sorted(payload["fixes"], key=lambda f: f["start"], reverse=True):
        assert replayed[fix["start"] : fix["end"]] == fix["before"]
        replayed = replayed[: fix["start"]] + fix["after"] + replayed[fix["end"] :]
    assert replayed == result.text
    if markup == "html":
        assert skeleton(result.text) == skeleton(text)
    assert respin.fix(result.text, config=config).text == result.text


def test_a_stray_script_end_tag_leaves_the_words_after_it_prose(spun_config):
    # Found by hypothesis: "<officers<script>" is one odd tag, so "</script>" closes no script.
    text = "<officers<script>var safety;</script>mentioned"
    result = respin.fix(text, config=spun_config.with_(markup="html"))
    assert result.text == "<officers<script>var safety;</script>said"
    assert skeleton(result.text) == skeleton(text)


# --- the command line ----------------------------------------------------------------------------

def run(*args, input=None):
    return CliRunner().invoke(main, [*map(str, args)], input=input)


def test_fix_detects_html_by_extension(page, tmp_path):
    path = tmp_path / "page.html"
    path.write_text(page, encoding="utf-8")
    result = run("fix", path, "--format", "json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    for fix in payload["fixes"]:  # offsets into the input file
        assert page[fix["start"] : fix["end"]] == fix["before"]
    assert skeleton(payload["text"]) == skeleton(page)
    as_text = run("fix", path, "--markup", "text")
    assert "var safety = \"mentioned\"" not in as_text.output  # told it is text, the script is prose


def test_stdin_is_text_unless_told(spun_config):
    page = "<p>They mentioned it. <code>They mentioned it.</code></p>"
    told = run("fix", "--assume-spun", "--markup", "html", input=page)
    assert told.exit_code == 0 and told.output == "<p>They said it. <code>They mentioned it.</code></p>"
    untold = run("fix", "--assume-spun", input=page)
    assert untold.output == "<p>They said it. <code>They said it.</code></p>"


def test_check_diff_and_review_take_markup(page, tmp_path):
    path = tmp_path / "page.html"
    path.write_text(page, encoding="utf-8")
    checked = run("check", path, "--format", "json")
    assert json.loads(checked.output)["verdict"] == "spun"
    diff = run("diff", path, "--format", "unified")
    assert diff.exit_code == 0 and "+    <p>Officials in the town" not in diff.output
    assert "safety.css" not in "".join(line for line in diff.output.splitlines() if line.startswith("+"))
    reviewed = run("review", path, "-o", tmp_path / "out.html", input="a\n" * 5 + "q\n")
    assert reviewed.exit_code == 0, reviewed.output
    assert skeleton((tmp_path / "out.html").read_text(encoding="utf-8")) == skeleton(page)


def test_batch_keeps_each_files_format(page, markdown, tmp_path):
    source = tmp_path / "in"
    source.mkdir()
    (source / "page.html").write_text(page, encoding="utf-8")
    (source / "notes.md").write_text(markdown, encoding="utf-8")
    (source / "plain.txt").write_text(f"The officers mentioned {SPUN_URL}.\n", encoding="utf-8")
    result = run("batch", source, tmp_path / "out", "--jobs", "1", "--quiet", "--assume-spun",
                 "--include", "*.html", "--include", "*.md", "--include", "*.txt")
    assert result.exit_code == 0, result.output
    out = tmp_path / "out"
    assert skeleton((out / "page.html").read_text(encoding="utf-8")) == skeleton(page)
    assert "```text\nofficers mentioned\n" in (out / "notes.md").read_text(encoding="utf-8")
    assert (out / "plain.txt").read_text(encoding="utf-8") == f"The officers said {SPUN_URL}.\n"


# --- JSON Lines records ---------------------------------------------------------------------------

RECORDS = [
    {"id": 1, "text": f"The officers mentioned {SPUN_URL} today.", "url": SPUN_URL, "meta": {"lang": "é"}},
    {"id": 2, "title": "no text field"},
    {"id": 3, "text": "Nothing to restore here."},
    {"id": 4, "text": "<p class='safety'>They mentioned it.</p>"},
]


def jsonl(records, bad_line: bytes | None = None, at: int = 1) -> bytes:
    lines = [json.dumps(r).encode() + b"\n" for r in records]
    if bad_line is not None:
        lines.insert(at, bad_line)
    return b"".join(lines)


def test_fix_jsonl_restores_one_field_and_copies_the_rest(tmp_path):
    path = tmp_path / "crawl.jsonl"
    path.write_bytes(jsonl(RECORDS, b"{not json\n", at=2) + b"\xff\xfe not utf-8\n")
    result = CliRunner().invoke(main, ["fix", "--jsonl", "--field", "text", "--fixes-key", "respin",
                                                       "--assume-spun", str(path)])
    assert result.exit_code == 0, result.output
    lines = result.stdout_bytes.split(b"\n")
    assert lines[2] == b"{not json" and lines[5] == b"\xff\xfe not utf-8"
    assert "crawl.jsonl:3: not valid JSON" in result.stderr and "crawl.jsonl:6: not UTF-8" in result.stderr
    first, second, fourth = json.loads(lines[0]), json.loads(lines[1]), json.loads(lines[4])
    assert first["text"] == f"The officers said {SPUN_URL} today."
    assert list(first) == ["id", "text", "url", "meta", "respin"] and first["meta"] == {"lang": "é"}
    assert first["url"] == SPUN_URL
    assert apply_fixes(RECORDS[0]["text"], [respin.Fix(**{k: f[k] for k in ("start", "end", "before", "after",
                                                                                  "score", "channel", "lm")})
                                            for f in first["respin"]]) == first["text"]
    assert second == RECORDS[1]  # no field: copied as it is
    assert "They said it." in fourth["text"]  # records are text unless told (--markup html)


def test_fix_jsonl_follows_markup(tmp_path):
    path = tmp_path / "crawl.jsonl"
    path.write_bytes(jsonl([RECORDS[3]]))
    result = run("fix", "--jsonl", "--assume-spun", "--markup", "html", path)
    assert json.loads(result.output)["text"] == "<p class='safety'>They said it.</p>"


class _Counting:
    """A restorer that counts the records it restores and can be made to stop after some."""

    def __init__(self, restorer, stop_after=None):
        self.restorer, self.stop_after, self.calls = restorer, stop_after, 0
        self.field, self.fixes_key = restorer.field, restorer.fixes_key

    def __call__(self, line):
        if self.stop_after is not None and self.calls >= self.stop_after:
            raise KeyboardInterrupt
        self.calls += 1
        return self.restorer(line)


def test_record_batch_resumes_where_it_stopped(tmp_path, spun_config):
    from respin.batch.records import run_records
    from respin.jsonl import Restorer

    records = [{"n": i, "text": f"Record {i}: the officers mentioned it."} for i in range(40)]
    source = tmp_path / "in.jsonl"
    source.write_bytes(jsonl(records))
    restorer = Restorer("text", "fixes", spun_config, ())
    whole = tmp_path / "whole.jsonl"
    run_records(str(source), str(whole), restorer, "key")
    out = tmp_path / "out.jsonl"
    stopping = _Counting(restorer, stop_after=25)
    with pytest.raises(KeyboardInterrupt):
        run_records(str(source), str(out), stopping, "key")
    assert not out.exists()  # never a half-written output
    resumed = _Counting(restorer)
    tally = run_records(str(source), str(out), resumed, "key")
    assert out.read_bytes() == whole.read_bytes()
    assert tally.resumed == 25 and resumed.calls == 15  # only the records not yet written are redone
    again = _Counting(restorer)
    assert run_records(str(source), str(out), again, "key") is None and again.calls == 0  # complete: skipped
    assert run_records(str(source), str(out), again, "other settings") is not None and again.calls == 40


def test_record_batch_command(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_bytes(jsonl(RECORDS, b"[1, 2]\n", at=1))
    one = run("batch", source, tmp_path / "one.jsonl", "--field", "text", "--jobs", "1", "--assume-spun")
    assert one.exit_code == 1 and "in.jsonl:2: not a JSON object" in one.output
    two = run("batch", source, tmp_path / "two.jsonl", "--field", "text", "--jobs", "2", "--assume-spun", "--quiet")
    assert (tmp_path / "one.jsonl").read_bytes() == (tmp_path / "two.jsonl").read_bytes()
    assert two.exit_code == 1
    assert (tmp_path / "one.jsonl").read_bytes().split(b"\n")[1] == b"[1, 2]"
    refused = run("batch", source, tmp_path / "x.jsonl", "--field", "text", "--in-place")
    assert refused.exit_code == 2


MARKUP_PIECES = list("<>/&;#!-[]()`*_ \n\r\tabc=\"'xé@.:") + [
    "<p>", "</p>", "<script>", "</script>", "&amp;", "```", "<!--", "-->", "https://a.com/", "<pre>", "<code>", "](",
    "&#", "&#769;", "&eacute;", "&rsquo;", "<![CDATA[", "<?", "---\n", "\n    ", "> ", "[x]: /y\n", "&nbsp;", "word",
    "x.com", "a@b.org"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(MARKUP_PIECES), max_size=80).map("".join),
       st.sampled_from(["html", "markdown", "text"]))
def test_no_word_of_the_view_touches_a_protected_character(text, markup):
    view = prose_view(text, markup)
    assert len(view) == len(text)
    spans = protected_spans(text, markup)
    for token in tokenize(view):
        assert text[token.start : token.end] == view[token.start : token.end]
        assert not any(start < token.end and token.start < end for start, end in spans)


def test_a_reference_page_is_read_as_prose(tmp_path):
    from respin.options import read_references

    reference = tmp_path / "story.html"
    reference.write_text("<p class='mentioned'>Officials said <a href='/x'>the talks</a> went well.</p>",
                         encoding="utf-8")
    (text,) = read_references((str(reference),))
    assert len(text) == len(reference.read_text(encoding="utf-8"))
    assert [text[t.start : t.end] for t in tokenize(text)] == ["Officials", "said", "the", "talks", "went", "well"]


def test_no_article_clash_across_markup(spun_config):
    config = spun_config.with_(markup="html")
    kept = "<p>They held an <em>information convention</em> and an&nbsp;information convention.</p>"
    assert respin.fix(kept, config=config).text == kept  # "an news conference" would be worse
    fits = "<p>It was a <b>assembly</b> of leaders. They held an information convention.</p>"
    restored = "<p>It was a <b>meeting</b> of leaders. They held a news conference.</p>"
    assert respin.fix(fits, config=config).text == restored


def as_page(text: str) -> str:
    """A plain article as a web page: one <p> per paragraph, escaped as a CMS would."""
    import html

    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    body = "\n".join(f"<p>{html.escape(p, quote=False)}</p>" for p in paragraphs)
    return f"<!DOCTYPE html><html><head><title>News</title></head><body><article>\n{body}\n</article></body></html>\n"


@pytest.mark.parametrize("path", CLEAN_FILES, ids=lambda p: p.stem)
def test_clean_pages_stay_clean(path):
    text = path.read_text(encoding="utf-8")
    assert respin.fix(as_page(text), config=respin.Config(markup="html")).fixes == ()
    assert respin.fix(text, config=respin.Config(markup="markdown")).fixes == ()


def test_a_spun_seed_as_a_page_is_restored_as_its_text():
    text = read_seed(SPUN_SEEDS[0])
    page = respin.fix(as_page(text), config=respin.Config(markup="html"))
    plain = respin.fix(text)
    assert [(f.before, f.after) for f in page.fixes] == [(f.before, f.after) for f in plain.fixes]
