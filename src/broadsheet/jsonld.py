"""schema.org structured data for article pages: NewsArticle and BreadcrumbList."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .config import SiteConfig
from .model import Article

if TYPE_CHECKING:
    from .graph import Term


def article_structured_data(
    article: Article, section: Term | None, site: SiteConfig
) -> dict[str, Any]:
    """A JSON-LD graph with the article's NewsArticle and its breadcrumb trail."""
    url = site.base_url + article.url
    publisher = {"@type": "Organization", "name": site.title, "url": site.base_url}
    news: dict[str, Any] = {
        "@type": "NewsArticle",
        "@id": url + "#article",
        "headline": article.headline,
        "url": url,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "inLanguage": article.language or site.language,
        "wordCount": article.word_count,
        "publisher": publisher,
    }
    if article.summary:
        news["description"] = article.summary
    if article.date is not None:
        news["datePublished"] = article.date.isoformat()
    if article.modified is not None:
        news["dateModified"] = article.modified.isoformat()
    if article.authors:
        news["author"] = [{"@type": "Person", "name": name} for name in article.authors]
    else:
        news["author"] = publisher
    if article.section:
        news["articleSection"] = article.section
    if article.tags:
        news["keywords"] = list(article.tags)
    crumbs = [("Home", site.base_url)]
    if section is not None:
        crumbs.append((section.name, site.base_url + section.url))
    crumbs.append((article.headline, url))
    breadcrumbs = {
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": i, "name": name, "item": item}
            for i, (name, item) in enumerate(crumbs, 1)
        ],
    }
    return {"@context": "https://schema.org", "@graph": [news, breadcrumbs]}
