# futures_docs_examples.py: the ThreadPoolExecutor example of the concurrent.futures docs, as
# people adapt it: submit + as_completed over URLs, and the
# map form of it (executor.map keeps the input's order). process_pool_executor.py has the docs'
# ProcessPoolExecutor example.
#   python3 tests/python/futures_docs_examples.py
#   gilsim run tests/python/futures_docs_examples.py --engine sim
# The docs' load_url reads a web page; here it waits as long as a download would (the GIL is
# released) and returns the page's size. as_completed yields futures in the order they finish, which
# depends on timing, so the results are gathered into a dict and printed in a fixed order.
import concurrent.futures
import time

URLS = {
    "http://www.foxnews.com/": 120_000,
    "http://www.cnn.com/": 95_000,
    "http://europe.wsj.com/": 70_000,
    "http://www.bbc.co.uk/": 150_000,
    "http://nonexistant-subdomain.python.org/": None,
}


def load_url(url, timeout):
    size = URLS[url]
    time.sleep(0.01 + (size or 0) / 10_000_000)
    if size is None:
        raise ConnectionError(f"cannot resolve {url}")
    return b"x" * size


# Retrieve each URL with a pool of 5 threads, as the docs do.
pages = {}
with concurrent.futures.ThreadPoolExecutor(max_workers=5) as executor:
    future_to_url = {executor.submit(load_url, url, 60): url for url in URLS}
    for future in concurrent.futures.as_completed(future_to_url):
        url = future_to_url[future]
        try:
            data = future.result()
        except Exception as exc:
            pages[url] = "%r generated an exception: %s" % (url, exc)
        else:
            pages[url] = "%r page is %d bytes" % (url, len(data))
for url in URLS:
    print(pages[url])



def page_size(url):
    return len(load_url(url, 60))


def main():
    # executor.map gives the results in the order of its input, however the calls interleave.
    ok = [url for url in URLS if URLS[url] is not None]
    with concurrent.futures.ThreadPoolExecutor() as executor:
        for url, size in zip(ok, executor.map(page_size, ok)):
            print("%s: %d bytes" % (url, size))


if __name__ == "__main__":
    main()

# Output under CPython 3.11, and under gilsim on both engines:
# expect: 'http://www.foxnews.com/' page is 120000 bytes
# expect: 'http://www.cnn.com/' page is 95000 bytes
# expect: 'http://europe.wsj.com/' page is 70000 bytes
# expect: 'http://www.bbc.co.uk/' page is 150000 bytes
# expect: 'http://nonexistant-subdomain.python.org/' generated an exception: cannot resolve http://nonexistant-subdomain.python.org/
# expect: http://www.foxnews.com/: 120000 bytes
# expect: http://www.cnn.com/: 95000 bytes
# expect: http://europe.wsj.com/: 70000 bytes
# expect: http://www.bbc.co.uk/: 150000 bytes
