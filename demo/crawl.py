"""A small asyncio program: named tasks fetching pages, gathered, one of them failing."""

import asyncio

PAGES = {"home": ["about", "shop"], "about": [], "shop": ["cart"], "cart": []}


async def fetch(name):
    await asyncio.sleep(0.001 * len(name))
    if name not in PAGES:
        raise KeyError(name)
    return PAGES[name]


async def crawl(start):
    seen = []
    queue = [start]
    while queue:
        page = queue.pop(0)
        links = await fetch(page)
        seen.append(page)
        queue.extend(links)
    return seen


async def main():
    site = asyncio.create_task(crawl("home"), name="crawl-site")
    broken = asyncio.create_task(fetch("missing"), name="fetch-missing")
    pages, failure = await asyncio.gather(site, broken, return_exceptions=True)
    print(pages, repr(failure))


asyncio.run(main())
