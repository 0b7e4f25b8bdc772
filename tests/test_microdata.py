"""Our microdata and RDFa readers (linkreel.scrape.microdata), alone and through `extract`."""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser

from linkreel.scrape.generic import Page, extract, structured_data
from linkreel.scrape.microdata import microdata_items, rdfa_items, text_content

BASE = "https://shop.example/p/lamp"


def md(html: str) -> list[dict]:
    return microdata_items(LexborHTMLParser(html), BASE)


def rdfa(html: str) -> list[dict]:
    return rdfa_items(LexborHTMLParser(html), BASE)


# --------------------------------------------------------------------------- microdata


def test_nested_items() -> None:
    items = md("""<div itemscope itemtype="https://schema.org/Product" itemid="#lamp">
      <h1 itemprop="name">Desk <b>Lamp</b></h1>
      <div itemprop="offers" itemscope itemtype="http://schema.org/Offer">
        <span itemprop="price">24.50</span>
        <div itemprop="priceSpecification" itemscope itemtype="https://schema.org/UnitPriceSpecification">
          <meta itemprop="priceCurrency" content="USD">
        </div>
      </div>
      <div itemprop="brand" itemscope><span itemprop="name">Lumo</span></div>
    </div>""")
    assert items == [
        {
            "@type": "Product",
            "@id": "https://shop.example/p/lamp#lamp",
            "name": "Desk Lamp",
            "offers": {
                "@type": "Offer",
                "price": "24.50",
                "priceSpecification": {"@type": "UnitPriceSpecification", "priceCurrency": "USD"},
            },
            "brand": {"name": "Lumo"},  # an item without itemtype is still a nested dict
        }
    ]


def test_property_values_by_element() -> None:
    [item] = md("""<div itemscope itemtype="https://schema.org/Product">
      <meta itemprop="sku" content=" L-1 ">
      <link itemprop="url" href="/p/lamp?x=1">
      <img itemprop="image" src="/img/lamp.jpg">
      <img itemprop="logo" src="">
      <a itemprop="manufacturer" href="https://lumo.example/">Lumo</a>
      <time itemprop="releaseDate" datetime="2024-03-01">March</time>
      <time itemprop="validFrom">today</time>
      <data itemprop="gtin13" value="4006381333931">EAN</data>
      <meter itemprop="weight" value="1.2">heavy</meter>
      <span itemprop="price" content="19.90">$19.90</span>
      <video itemprop="video" src="//cdn.example/v.mp4"></video>
      <span itemprop="description">Bright <i>and</i>
        small.<p>Second   paragraph.</p><script>var x = 1;</script></span>
    </div>""")
    assert item["sku"] == "L-1"
    assert item["url"] == "https://shop.example/p/lamp?x=1"
    assert item["image"] == "https://shop.example/img/lamp.jpg"
    assert item["logo"] == ""  # not the page's own address
    assert item["manufacturer"] == "https://lumo.example/"
    assert (item["releaseDate"], item["validFrom"]) == ("2024-03-01", "today")
    assert (item["gtin13"], item["weight"]) == ("4006381333931", "1.2")
    assert item["price"] == "19.90"  # schema.org's `content` on any element
    assert item["video"] == "https://cdn.example/v.mp4"
    assert item["description"] == "Bright and small. Second paragraph."


def test_multiple_values_and_names() -> None:
    [item] = md("""<div itemscope itemtype="https://schema.org/Product">
      <img itemprop="image" src="/a.jpg"><img itemprop="image" src="/b.jpg">
      <span itemprop="name alternateName">Lamp</span>
      <div itemprop="offers" itemscope itemtype="https://schema.org/Offer"><span itemprop="price">1</span></div>
      <div itemprop="offers" itemscope itemtype="https://schema.org/Offer"><span itemprop="price">2</span></div>
    </div>""")
    assert item["image"] == ["https://shop.example/a.jpg", "https://shop.example/b.jpg"]
    assert item["name"] == item["alternateName"] == "Lamp"
    assert [o["price"] for o in item["offers"]] == ["1", "2"]


def test_itemref() -> None:
    items = md("""<div itemscope itemtype="https://schema.org/Product" itemref="price-box brand missing">
        <h1 itemprop="name">Lamp</h1></div>
      <section id="price-box">
        <meta itemprop="sku" content="L-1">
        <div itemprop="offers" itemscope itemtype="https://schema.org/Offer" itemref="stock">
          <span itemprop="price">9</span></div>
        <div itemscope itemtype="https://schema.org/Organization"><span itemprop="name">Shop</span></div>
      </section>
      <div id="brand" itemprop="brand" itemscope itemtype="https://schema.org/Brand"><b itemprop="name">Lumo</b></div>
      <link id="stock" itemprop="availability" href="https://schema.org/InStock">""")
    assert items == [
        {
            "@type": "Product",
            "name": "Lamp",
            "sku": "L-1",
            "offers": {"@type": "Offer", "price": "9", "availability": "https://schema.org/InStock"},
            "brand": {"@type": "Brand", "name": "Lumo"},
        },
        # not referenced by anyone: a top-level item of its own (the Offer and Brand are not)
        {"@type": "Organization", "name": "Shop"},
    ]


def test_itemref_loop_and_empty_items() -> None:
    items = md("""<div id="a" itemscope itemtype="https://schema.org/Thing" itemref="b">
        <span itemprop="name">A</span></div>
      <div id="b" itemprop="knows" itemscope itemtype="https://schema.org/Thing" itemref="a">
        <span itemprop="name">B</span></div>
      <a itemscope itemtype="https://schema.org/URL" href="/x">the link</a>""")
    assert items[0]["name"] == "A" and items[0]["knows"]["name"] == "B"
    assert items[-1] == {"@type": "URL", "value": "https://shop.example/x"}


def test_orphan_property_item_is_kept() -> None:
    """An itemprop item outside any item (a template mistake) is still read, as a top-level item."""
    items = md("""<div itemprop="offers" itemscope itemtype="https://schema.org/Offer">
      <span itemprop="price">5</span></div>""")
    assert items == [{"@type": "Offer", "price": "5"}]


def test_no_microdata() -> None:
    assert md("<p itemprop='name'>no item</p>") == []


def test_text_content() -> None:
    node = LexborHTMLParser("<div>$<b>24</b>.99<!-- x --><p>one</p><p>two</p>a<br>b</div>").css_first("div")
    assert text_content(node) == "$24.99 one two a b"


# --------------------------------------------------------------------------- RDFa

RDFA_PRODUCT = """<html lang="en"><body>
<div vocab="https://schema.org/" typeof="Product">
  <h1 property="name">Reading Lamp</h1>
  <img property="image" src="/img/reading.jpg">
  <span property="sku">RL-7</span>
  <span property="brand" typeof="Brand"><span property="name">Lumo</span></span>
  <div property="offers" typeof="Offer">
    <span property="priceCurrency" content="EUR">€</span><span property="price" content="39.00">39,00</span>
    <link property="availability" href="https://schema.org/OutOfStock">Sold out
  </div>
  <div property="aggregateRating" typeof="AggregateRating">
    <span property="ratingValue">4.4</span> (<span property="reviewCount">12</span>)
  </div>
</div></body></html>"""


def test_rdfa_product_with_offers() -> None:
    items = rdfa(RDFA_PRODUCT)
    product = items[0]
    assert product["@type"] == ["Product"]
    assert (product["name"], product["sku"]) == ("Reading Lamp", "RL-7")
    assert product["image"] == {"@id": "https://shop.example/img/reading.jpg"}
    offers = next(i for i in items if i["@id"] == product["offers"]["@id"])
    assert offers == {
        "@id": offers["@id"],
        "@type": ["Offer"],
        "priceCurrency": "EUR",
        "price": "39.00",
        "availability": "https://schema.org/OutOfStock",  # an enumeration member: a plain string
    }
    brand = next(i for i in items if i["@id"] == product["brand"]["@id"])
    assert brand["name"] == "Lumo"


def test_rdfa_through_extract() -> None:
    brief = extract(RDFA_PRODUCT, BASE)
    assert (brief.title, brief.price, brief.currency, brief.availability) == ("Reading Lamp", "39", "EUR", "OutOfStock")
    assert (brief.sku, brief.brand, brief.rating, brief.review_count) == ("RL-7", "Lumo", 4.4, 12)
    assert brief.images[0].url == "https://shop.example/img/reading.jpg"
    sources = {i.source for i in structured_data(Page(RDFA_PRODUCT, BASE)).items}
    assert sources == {"rdfa"}


def test_rdfa_prefixes_rel_and_about() -> None:
    items = rdfa("""<html prefix="s: http://schema.org/"><body>
      <div typeof="schema:Product" about="#lamp">
        <span property="s:name">Lamp</span>
        <div rel="schema:image"><img src="/a.jpg"><img src="/b.jpg"></div>
        <div rel="schema:offers"><div typeof="schema:Offer"><span property="schema:price">10</span></div></div>
        <time property="schema:releaseDate" datetime="2020-01-01">January</time>
      </div>
      <div typeof="Product"><span property="name">no vocabulary: not RDFa schema.org</span></div>
      <meta property="og:title" content="Open Graph is not schema.org">
    </body></html>""")
    product = items[0]
    assert product["@id"] == "https://shop.example/p/lamp#lamp"
    assert product["name"] == "Lamp" and product["releaseDate"] == "2020-01-01"
    assert product["image"] == [{"@id": "https://shop.example/a.jpg"}, {"@id": "https://shop.example/b.jpg"}]
    offer = next(i for i in items if i["@id"] == product["offers"]["@id"])
    assert offer["@type"] == ["Offer"] and offer["price"] == "10"
    assert len(items) == 2


def test_no_rdfa() -> None:
    assert rdfa("<html><body><p property='name'>x</p></body></html>") == []
