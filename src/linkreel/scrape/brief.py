"""What we learned from a product page: the input to the script writer and the storyboard."""

from pydantic import BaseModel, Field


class Review(BaseModel):
    text: str
    author: str | None = None
    rating: float | None = None  # stars, 0..5


class ProductImage(BaseModel):
    url: str  # absolute URL, or data: URI, or file:// for images stored next to a saved page
    path: str | None = None  # local file once downloaded and verified
    width: int | None = None
    height: int | None = None
    source: str = "page"  # where it came from: jsonld, og, gallery, img, embedded, local, generated


class ProductVideo(BaseModel):
    url: str  # absolute URL of a video file (mp4, webm, HLS) or a player page (YouTube, Vimeo)
    source: str = "page"  # jsonld, og, video (a <video> element)
    poster: str | None = None  # still image the page shows before playing
    embed: bool = False  # a player page, not a file ffmpeg can read


class Brief(BaseModel):
    """A product as the ad sees it. Everything but `title` is optional."""

    url: str | None = None
    title: str
    description: str = ""
    features: list[str] = Field(default_factory=list)  # short bullet points
    price: str | None = None  # decimal string, e.g. "49.99"
    currency: str | None = None  # ISO 4217 where known ("USD"), else the symbol as written
    brand: str | None = None
    sku: str | None = None
    availability: str | None = None  # schema.org short name: InStock, OutOfStock, PreOrder...
    rating: float | None = None
    review_count: int | None = None
    reviews: list[Review] = Field(default_factory=list)
    images: list[ProductImage] = Field(default_factory=list)
    videos: list[ProductVideo] = Field(default_factory=list)
    logo: str | None = None
    site_name: str | None = None
    language: str | None = None  # the page's language (ISO 639-1): declared, else detected from its text
