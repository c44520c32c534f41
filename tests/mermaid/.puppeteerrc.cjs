// Puppeteer must not download a browser (nothing outside the npm registry
// can be fetched here): check.mjs uses Debian's /usr/bin/chromium.
module.exports = { skipDownload: true };
