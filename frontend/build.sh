#!/bin/sh
# Rebuild the committed front-end assets in app/static. Needs Node and `npm ci` here.
set -eu
cd "$(dirname "$0")"
static=../app/static
GOVUK=$(node -p "require('./node_modules/govuk-frontend/package.json').version")
HTMX=$(node -p "require('./node_modules/htmx.org/package.json').version")
mkdir -p "$static/css" "$static/js"
rm -f "$static"/css/teamaround-*.css "$static"/js/govuk-frontend-*.js "$static"/js/htmx-*.js
npx sass --style=compressed --no-source-map --quiet-deps --silence-deprecation=import app.scss "$static/css/teamaround-govuk-$GOVUK.css"
if grep -q "GDS Transport" "$static/css/teamaround-govuk-$GOVUK.css"; then
  echo "built CSS names the GOV.UK brand font" >&2; exit 1
fi
cp node_modules/govuk-frontend/dist/govuk/all.bundle.js "$static/js/govuk-frontend-$GOVUK.js"
cp node_modules/htmx.org/dist/htmx.min.js "$static/js/htmx-$HTMX.min.js"
echo "built: govuk-frontend $GOVUK, htmx $HTMX"
