"""Browser tests are opt-in (`make browser-test`): they need Debian's chromium (tests/browser/install.sh)."""


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: opens the HTML reports in headless chromium (make browser-test)")
